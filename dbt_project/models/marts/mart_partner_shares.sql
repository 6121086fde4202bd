with

atp_exports as (

    select * from {{ ref('fct_atp_exports') }}

),

with_totals as (

    select
        year,
        cty_code,
        hitech_code,
        cty_name,
        group_name,
        export_value_usd,
        -- world = sum over real countries (fct holds real countries only)
        sum(export_value_usd) over (partition by year, hitech_code) as world_group_value_usd,
        sum(export_value_usd) over (partition by year, cty_code) as partner_atp_value_usd,
        -- shares use the whole year's world, so one synthetic row taints the year
        bool_or(is_synthetic) over (partition by year) as is_synthetic
    from atp_exports

),

final as (

    select
        -- ids
        year,
        cty_code,
        hitech_code,

        -- attributes
        cty_name,
        group_name,

        -- measures (whole USD; shares are fractions 0-1)
        export_value_usd,
        cast(world_group_value_usd as bigint) as world_group_value_usd,
        cast(export_value_usd as double)
            / nullif(world_group_value_usd, 0) as partner_share,
        cast(partner_atp_value_usd as bigint) as partner_atp_value_usd,
        cast(export_value_usd as double)
            / nullif(partner_atp_value_usd, 0) as composition_share,

        -- flags
        is_synthetic

    from with_totals

)

select * from final
