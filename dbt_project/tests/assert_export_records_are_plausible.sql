{{ config(severity='error', meta={'dagster': {'ref': {'name': 'stg_census__export_history'}}}) }}

-- Plausibility of the export history against the Census country table, rules that real Census
-- data passes. A record is one DF x HS10 x country x district x month (EM545/EA645 file) or one
-- DF x HS10 x country for a whole year (Census API exports/hs, December year to date), so a real
-- annual record can be large: U.S. exports of aircraft, engines and parts to China reached 18.2
-- billion USD in 2018 (UN Comtrade, as reported by the South China Morning Post), about 5 % of
-- that year's world ATP exports, mostly in a few HS10 codes. What no real record can do:
--
-- 1. carry more than its country's total exports of the year: the country table's EYR (total
--    exports, domestic + foreign, f.a.s., millions of USD) of the record's cty_code and year;
-- 2. add up, with the other records of its country and year (every HS10 code, DF 1 and 2: total
--    exports = domestic + foreign), to more than that total;
-- 3. exceed var max_record_value_usd (400 billion USD) in any year: more than U.S. exports of
--    all goods to the largest partner in any year of the published record (Canada, 2022: 359.2
--    billion USD, EYR 359,236.512977 million in country.xlsx, vintage 2024-06).
--
-- Rules 1 and 2 allow var country_total_tolerance_usd (0.5 million USD): the table is published
-- rounded (before 2003 mostly to 0.1 million USD, some totals to the whole million), so a
-- published total can fall up to 0.5 million short of the sum of its dollars. They compare
-- complete years only (months_reported = 12): the newest year of a vintage holds only the
-- months released so far (warn_world_atp_years_not_compared names it). A country-year without a
-- row in the table (or a partial year) is checked by rule 3 alone; no other test needs the
-- country table to list every country of the history (the country test in_same_year_list checks
-- COUNTRY.TXT). Like assert_world_atp_exports_match_census_total, the rules assume the history
-- and the table are of one vintage (load both again after an annual revision).
-- A record over them is a keying or layout error (e.g. a value of 999999999999), or a file of
-- another country or unit. Returns one row per offending record (rules 1 and 3) and per
-- offending country-year (rule 2, with its first record), each with source_file and
-- source_record.

with

country_trade as (

    select * from {{ ref('stg_census__country_trade') }}

),

country_totals as (

    -- whole USD from the published millions (the staging model widens before it multiplies)
    select
        year,
        cty_code,
        exports_total_usd as country_total_usd
    from country_trade
    where is_complete_year

),

-- each pass reads the history itself (the refreshed years only in a year-incremental build:
-- macros/get_where_subquery.sql): a CTE of records read by several passes would be held whole
record_failures as (

    select
        case
            when export_history.value_usd > {{ var('max_record_value_usd') }}
                and export_history.value_usd > country_totals.country_total_usd + {{ var('country_total_tolerance_usd') }}
                then 'record above max_record_value_usd and above the total exports of the country'
            when export_history.value_usd > {{ var('max_record_value_usd') }}
                then 'record above max_record_value_usd'
            else 'record above the total exports of the country'
        end as failure_reason,
        export_history.year,
        export_history.cty_code,
        export_history.source_file,
        export_history.source_record,
        export_history.df_code,
        export_history.hs10_code,
        1 as records,
        export_history.value_usd,
        country_totals.country_total_usd
    from {{ ref('stg_census__export_history') }} as export_history
    left join country_totals
        on export_history.year = country_totals.year
        and export_history.cty_code = country_totals.cty_code
    where {{ refreshed_years_tested('export_history.year') }}
        and (
            export_history.value_usd > {{ var('max_record_value_usd') }}
            or export_history.value_usd > country_totals.country_total_usd + {{ var('country_total_tolerance_usd') }}
        )

),

country_year_sums as (

    select
        year,
        cty_code,
        count(*) as records,
        sum(value_usd) as value_usd
    from {{ ref('stg_census__export_history') }}
    where {{ refreshed_years_tested() }}
        and df_code in ('1', '2')
    group by year, cty_code

),

failing_country_years as (

    select
        country_year_sums.year,
        country_year_sums.cty_code,
        country_year_sums.records,
        country_year_sums.value_usd,
        country_totals.country_total_usd
    from country_year_sums
    inner join country_totals
        on country_year_sums.year = country_totals.year
        and country_year_sums.cty_code = country_totals.cty_code
    where country_year_sums.value_usd > country_totals.country_total_usd + {{ var('country_total_tolerance_usd') }}

),

-- the records of the failing country-years only, for their first record (by source_file, then
-- source_record): aggregates over a few rows, not a sort of every record
failing_records as (

    select export_history.year, export_history.cty_code, export_history.source_file, export_history.source_record
    from {{ ref('stg_census__export_history') }} as export_history
    inner join failing_country_years
        on export_history.year = failing_country_years.year
        and export_history.cty_code = failing_country_years.cty_code
    where {{ refreshed_years_tested('export_history.year') }}
        and export_history.df_code in ('1', '2')

),

first_files as (

    select year, cty_code, min(source_file) as source_file
    from failing_records
    group by year, cty_code

),

first_records as (

    select
        failing_records.year,
        failing_records.cty_code,
        failing_records.source_file,
        min(failing_records.source_record) as source_record
    from failing_records
    inner join first_files
        on failing_records.year = first_files.year
        and failing_records.cty_code = first_files.cty_code
        and failing_records.source_file = first_files.source_file
    group by failing_records.year, failing_records.cty_code, failing_records.source_file

),

country_year_failures as (

    select
        'sum of the records of the country and year (DF 1 + 2) above its total exports' as failure_reason,
        failing_country_years.year,
        failing_country_years.cty_code,
        first_records.source_file,
        first_records.source_record,
        cast(null as {{ dbt.type_string() }}) as df_code,
        cast(null as {{ dbt.type_string() }}) as hs10_code,
        failing_country_years.records,
        failing_country_years.value_usd,
        failing_country_years.country_total_usd
    from failing_country_years
    inner join first_records
        on failing_country_years.year = first_records.year
        and failing_country_years.cty_code = first_records.cty_code

),

failures as (

    select * from record_failures
    union all
    select * from country_year_failures

)

select *
from failures
order by year, cty_code, source_file, source_record, failure_reason
