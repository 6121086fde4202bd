with

exports_classified as (

    select * from {{ ref('int_atp_exports_classified') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

exports_by_group as (

    select
        year,
        cty_code,
        hitech_code,
        -- a country's name can only change between years, never within one year's list
        max(cty_name) as cty_name,
        sum(export_value_usd) as export_value_usd,
        sum(domestic_value_usd) as domestic_value_usd,
        sum(foreign_value_usd) as foreign_value_usd,
        count(distinct hs10_code) as hs10_code_count,
        sum(source_record_count) as source_record_count,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from exports_classified
    group by year, cty_code, hitech_code

),

final as (

    select
        -- ids
        exports_by_group.year,
        exports_by_group.cty_code,
        exports_by_group.hitech_code,

        -- attributes
        exports_by_group.cty_name,
        atp_groups.group_name,

        -- measures (whole USD, f.a.s.)
        cast(exports_by_group.export_value_usd as {{ dbt.type_bigint() }}) as export_value_usd,
        cast(exports_by_group.domestic_value_usd as {{ dbt.type_bigint() }}) as domestic_value_usd,
        cast(exports_by_group.foreign_value_usd as {{ dbt.type_bigint() }}) as foreign_value_usd,
        exports_by_group.hs10_code_count,
        cast(exports_by_group.source_record_count as {{ dbt.type_bigint() }}) as source_record_count,

        -- flags
        exports_by_group.is_synthetic

    from exports_by_group
    left join atp_groups
        on exports_by_group.hitech_code = atp_groups.hitech_code

)

select * from final
