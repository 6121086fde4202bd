-- ATP exports by country under each definition: as published (each year by its own list) and
-- fixed (every year by the base year's list, carried across code changes by code families).

with

exports_by_definition as (

    select * from {{ ref('int_exports_by_definition') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

by_group as (

    select
        year,
        cty_code,
        hitech_code,
        definition,
        max(cty_name) as cty_name,
        sum(export_value_usd) as export_value_usd,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from exports_by_definition
    group by year, cty_code, hitech_code, definition

)

select
    -- ids
    by_group.year,
    by_group.cty_code,
    by_group.hitech_code,
    by_group.definition,

    -- attributes
    by_group.cty_name,
    atp_groups.group_name,

    -- measures (whole USD, f.a.s.)
    cast(by_group.export_value_usd as {{ dbt.type_bigint() }}) as export_value_usd,

    -- flags
    by_group.is_synthetic
from by_group
left join atp_groups on by_group.hitech_code = atp_groups.hitech_code
