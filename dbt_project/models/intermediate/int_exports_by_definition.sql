-- Exports of each ATP code to each country under each additive ATP definition:
--   as_published  the code's group on the year's own list;
--   fixed_<base>  the group of the code's family on the base year's list.
-- Codes outside ATP under a definition have no row for it.

{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

exports_by_code as (

    select * from {{ ref('int_exports_by_code') }}

),

classifications as (

    select * from {{ ref('int_hs10_code_classifications') }}

),

as_published as (

    select
        year,
        cty_code,
        hs10_code,
        'as_published' as definition,
        hitech_code,
        cty_name,
        export_value_usd,
        is_synthetic
    from exports_by_code
    where is_atp

),

fixed as (

    select
        exports_by_code.year,
        exports_by_code.cty_code,
        exports_by_code.hs10_code,
        '{{ definition_fixed }}' as definition,
        classifications.fixed_hitech_code as hitech_code,
        exports_by_code.cty_name,
        exports_by_code.export_value_usd,
        exports_by_code.is_synthetic
    from exports_by_code
    inner join classifications
        on exports_by_code.year = classifications.year
        and exports_by_code.hs10_code = classifications.hs10_code
    where classifications.fixed_hitech_code <> '00'

)

select * from as_published
union all
select * from fixed
