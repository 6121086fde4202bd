{{ config(severity='error', meta={'dagster': {'ref': {'name': 'stg_census__export_history'}}}) }}

-- Every export history record's Schedule C country code must exist in THAT YEAR's country
-- list (COUNTRY.TXT of the same year); otherwise its value silently drops out of the fact.
-- Returns one row per missing year x country code, with the value it carries and where the
-- first such record is.

with

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

countries as (

    select * from {{ ref('stg_census__countries') }}

),

missing as (

    select
        export_history.year,
        export_history.cty_code,
        count(*) as history_record_count,
        sum(export_history.value_usd) as value_usd,
        min(export_history.source_file) as first_source_file,
        min(export_history.source_record) as first_source_record
    from export_history
    left join countries
        on export_history.year = countries.year
        and export_history.cty_code = countries.cty_code
    where countries.cty_code is null
    group by export_history.year, export_history.cty_code

)

select * from missing
