{{ config(severity='error', meta={'dagster': {'ref': {'name': 'stg_census__export_history'}}}) }}

-- Every export history record's HS10 code must exist in THAT YEAR's concordance
-- (CONCORD.TXT of the same year); otherwise its value silently drops out of the
-- classification. Returns one row per missing year x HS10 code.

with

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

concordance as (

    select * from {{ ref('stg_census__atp_concordance') }}

),

missing as (

    select
        export_history.year,
        export_history.hs10_code,
        count(*) as history_record_count,
        sum(export_history.value_usd) as value_usd,
        min(export_history.source_file) as first_source_file,
        min(export_history.source_record) as first_source_record
    from export_history
    left join concordance
        on export_history.year = concordance.year
        and export_history.hs10_code = concordance.hs10_code
    where concordance.hs10_code is null
    group by export_history.year, export_history.hs10_code

)

select * from missing
