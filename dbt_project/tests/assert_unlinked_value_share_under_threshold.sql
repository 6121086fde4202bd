{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_reclassification'}}}) }}

-- Reclassification coverage: in every year, the export value of ATP codes the fixed definition
-- cannot link to the base year's list (int_hs10_unlinked_codes, reason no_base_year_family)
-- must stay under var max_unlinked_value_share of that year's as-published world ATP exports.
-- A larger share means the code-change concordance is missing links. Skipped when the base
-- year is not loaded (then nothing can be linked). Returns failing years.

with

unlinked as (

    select year, sum(export_value_usd) as unlinked_value_usd
    from {{ ref('int_hs10_unlinked_codes') }}
    where reason = 'no_base_year_family' and published_hitech_code <> '00'
    group by year

),

base_year_loaded as (

    select count(*) > 0 as is_loaded
    from {{ ref('stg_census__atp_concordance') }}
    where year = {{ var('atp_base_year') }}

),

published as (

    select year, sum(export_value_usd) as atp_value_usd
    from {{ ref('fct_atp_exports') }}
    group by year

)

select
    published.year,
    unlinked.unlinked_value_usd,
    published.atp_value_usd,
    unlinked.unlinked_value_usd / nullif(published.atp_value_usd, 0) as unlinked_value_share
from published
inner join unlinked on published.year = unlinked.year
cross join base_year_loaded
where base_year_loaded.is_loaded
    and unlinked.unlinked_value_usd > {{ var('max_unlinked_value_share') }} * published.atp_value_usd
