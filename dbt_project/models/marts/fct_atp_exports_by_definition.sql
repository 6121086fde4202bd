-- ATP exports under each definition: as published (each year by its own list) and fixed
-- (every year by the base year's list, carried across code changes by code families).

{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

exports_by_code as (

    select * from {{ ref('int_exports_by_code') }}

),

classifications as (

    select * from {{ ref('int_hs10_code_classifications') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

as_published as (

    select
        year,
        cty_code,
        hitech_code,
        'as_published' as definition,
        max(cty_name) as cty_name,
        sum(export_value_usd) as export_value_usd,
        bool_or(is_synthetic) as is_synthetic
    from exports_by_code
    where is_atp
    group by year, cty_code, hitech_code

),

fixed as (

    select
        exports_by_code.year,
        exports_by_code.cty_code,
        classifications.fixed_hitech_code as hitech_code,
        '{{ definition_fixed }}' as definition,
        max(exports_by_code.cty_name) as cty_name,
        sum(exports_by_code.export_value_usd) as export_value_usd,
        bool_or(exports_by_code.is_synthetic) as is_synthetic
    from exports_by_code
    inner join classifications
        on exports_by_code.year = classifications.year
        and exports_by_code.hs10_code = classifications.hs10_code
    where classifications.fixed_hitech_code <> '00'
    group by exports_by_code.year, exports_by_code.cty_code, classifications.fixed_hitech_code

),

unioned as (

    select * from as_published
    union all
    select * from fixed

)

select
    -- ids
    unioned.year,
    unioned.cty_code,
    unioned.hitech_code,
    unioned.definition,

    -- attributes
    unioned.cty_name,
    atp_groups.group_name,

    -- measures (whole USD, f.a.s.)
    cast(unioned.export_value_usd as bigint) as export_value_usd,

    -- flags
    unioned.is_synthetic
from unioned
left join atp_groups on unioned.hitech_code = atp_groups.hitech_code
