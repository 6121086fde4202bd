{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_trade'}}}) }}

-- Reclassification coverage: in every year, the export value of ATP codes the fixed definition
-- cannot link to the base year's list (int_hs10_unlinked_codes, reason no_base_year_family)
-- must stay under var max_unlinked_value_share of that year's as-published world ATP exports.
-- A larger share means the code-change concordance is missing links. Skipped when the base
-- year is not loaded (then nothing can be linked). Returns failing years.

with

unlinked as (

    select trade_flow, year, sum(value_usd) as unlinked_value_usd
    from {{ ref('int_hs10_unlinked_codes') }}
    where reason = 'no_base_year_family' and published_hitech_code <> '00'
    group by trade_flow, year

),

base_year_loaded as (

    -- the flows whose base-year list is loaded
    select distinct trade_flow
    from {{ ref('int_hs10_year_lists') }}
    where year = {{ var('atp_base_year') }} and is_listed

),

published as (

    select trade_flow, year, sum(value_usd) as atp_value_usd
    from {{ ref('fct_atp_trade') }}
    group by trade_flow, year

)

select
    published.trade_flow,
    published.year,
    unlinked.unlinked_value_usd,
    published.atp_value_usd,
    unlinked.unlinked_value_usd / nullif(published.atp_value_usd, 0) as unlinked_value_share
from published
inner join unlinked
    on published.trade_flow = unlinked.trade_flow
    and published.year = unlinked.year
inner join base_year_loaded on published.trade_flow = base_year_loaded.trade_flow
where unlinked.unlinked_value_usd > {{ var('max_unlinked_value_share') }} * published.atp_value_usd
