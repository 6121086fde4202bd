{%- set focus_partner_code = var('focus_partner_code') -%}

with

atp_exports as (

    select * from {{ ref('fct_atp_exports') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

years as (

    select
        year,
        bool_or(is_synthetic) as is_synthetic
    from atp_exports
    group by year

),

-- every ATP group for every year, so groups without exports show as 0
spine as (

    select
        years.year,
        atp_groups.hitech_code,
        atp_groups.group_name,
        years.is_synthetic
    from years
    cross join atp_groups

),

exports_by_group as (

    select
        year,
        hitech_code,
        sum(case when cty_code = '{{ focus_partner_code }}' then export_value_usd else 0 end)
            as focus_value_usd,
        sum(export_value_usd) as world_value_usd
    from atp_exports
    group by year, hitech_code

),

values_by_group as (

    select
        spine.year,
        spine.hitech_code,
        spine.group_name,
        cast(coalesce(exports_by_group.focus_value_usd, 0) as bigint) as china_value_usd,
        cast(coalesce(exports_by_group.world_value_usd, 0) as bigint) as world_value_usd,
        spine.is_synthetic
    from spine
    left join exports_by_group
        on spine.year = exports_by_group.year
        and spine.hitech_code = exports_by_group.hitech_code

),

shares as (

    select
        year,
        hitech_code,
        group_name,
        china_value_usd,
        world_value_usd - china_value_usd as row_value_usd,
        world_value_usd,
        cast(china_value_usd as double)
            / nullif(sum(china_value_usd) over (partition by year), 0)
            as china_composition_share,
        cast(world_value_usd - china_value_usd as double)
            / nullif(sum(world_value_usd - china_value_usd) over (partition by year), 0)
            as row_composition_share,
        is_synthetic
    from values_by_group

),

final as (

    select
        -- ids
        year,
        hitech_code,

        -- attributes
        group_name,
        '{{ focus_partner_code }}' as focus_cty_code,

        -- measures (whole USD; shares are fractions 0-1; gap in percentage points)
        china_value_usd,
        row_value_usd,
        world_value_usd,
        china_composition_share,
        row_composition_share,
        (china_composition_share - row_composition_share) * 100 as gap_pp,

        -- flags
        is_synthetic

    from shares

)

select * from final
