{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_atp_exports'}}}) }}

-- A warning, never a failure: loaded years whose world ATP total cannot be checked against the
-- published 0007 total because the loaded vintage of the country table holds only part of the
-- year (its newest year: months after the last release are 0). Load a later vintage of
-- country.xlsx to check them.

with

atp_exports as (

    select distinct year from {{ ref('fct_atp_exports') }}

),

country_trade as (

    select * from {{ ref('stg_census__country_trade') }}

)

select
    atp_exports.year,
    country_trade.months_reported,
    country_trade.source_file,
    'the country table holds only months 1-' || country_trade.months_reported || ' of '
        || atp_exports.year || ': not compared with an annual total' as reason
from atp_exports
inner join country_trade
    on atp_exports.year = country_trade.year
where country_trade.cty_code = '0007'
    and not country_trade.is_complete_year
