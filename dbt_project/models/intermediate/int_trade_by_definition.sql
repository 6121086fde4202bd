-- Trade of each ATP code with each country, per flow, under each additive ATP definition:
--   as_published  the code's group on the flow's list of the year;
--   fixed_<base>  the group of the code's family on the flow's list of the base year.
-- Codes outside ATP under a definition have no row for it.

{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

trade_by_code as (

    select * from {{ ref('int_trade_by_code') }}

),

classifications as (

    select * from {{ ref('int_hs10_code_classifications') }}

),

as_published as (

    select
        trade_flow,
        year,
        cty_code,
        hs10_code,
        'as_published' as definition,
        hitech_code,
        cty_name,
        value_usd,
        is_synthetic
    from trade_by_code
    where is_atp

),

fixed as (

    select
        trade_by_code.trade_flow,
        trade_by_code.year,
        trade_by_code.cty_code,
        trade_by_code.hs10_code,
        '{{ definition_fixed }}' as definition,
        classifications.fixed_hitech_code as hitech_code,
        trade_by_code.cty_name,
        trade_by_code.value_usd,
        trade_by_code.is_synthetic
    from trade_by_code
    inner join classifications
        on trade_by_code.trade_flow = classifications.trade_flow
        and trade_by_code.year = classifications.year
        and trade_by_code.hs10_code = classifications.hs10_code
    where classifications.fixed_hitech_code <> '00'

)

select * from as_published
union all
select * from fixed
