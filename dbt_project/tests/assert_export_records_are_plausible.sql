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

export_history as (

    -- the refreshed years only in a year-incremental build (macros/get_where_subquery.sql)
    select * from {{ ref('stg_census__export_history') }}
    where {{ refreshed_years_tested() }}

),

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

records as (

    select
        export_history.source_file,
        export_history.source_record,
        export_history.year,
        export_history.cty_code,
        export_history.df_code,
        export_history.hs10_code,
        export_history.value_usd,
        country_totals.country_total_usd
    from export_history
    left join country_totals
        on export_history.year = country_totals.year
        and export_history.cty_code = country_totals.cty_code

),

record_failures as (

    select
        case
            when value_usd > {{ var('max_record_value_usd') }}
                and value_usd > country_total_usd + {{ var('country_total_tolerance_usd') }}
                then 'record above max_record_value_usd and above the country''s total exports'
            when value_usd > {{ var('max_record_value_usd') }}
                then 'record above max_record_value_usd'
            else 'record above the country''s total exports'
        end as failure_reason,
        year,
        cty_code,
        source_file,
        source_record,
        df_code,
        hs10_code,
        1 as records,
        value_usd,
        country_total_usd
    from records
    where value_usd > {{ var('max_record_value_usd') }}
        or value_usd > country_total_usd + {{ var('country_total_tolerance_usd') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by year, cty_code order by source_file, source_record
        ) as record_rank
    from records
    where df_code in ('1', '2')
        and country_total_usd is not null

),

country_years as (

    select
        year,
        cty_code,
        count(*) as records,
        sum(value_usd) as value_usd,
        max(country_total_usd) as country_total_usd
    from ranked
    group by year, cty_code

),

first_records as (

    select year, cty_code, source_file, source_record
    from ranked
    where record_rank = 1

),

country_year_failures as (

    select
        'sum of the country''s records of the year (DF 1 + 2) above its total exports' as failure_reason,
        country_years.year,
        country_years.cty_code,
        first_records.source_file,
        first_records.source_record,
        cast(null as {{ dbt.type_string() }}) as df_code,
        cast(null as {{ dbt.type_string() }}) as hs10_code,
        country_years.records,
        country_years.value_usd,
        country_years.country_total_usd
    from country_years
    inner join first_records
        on country_years.year = first_records.year
        and country_years.cty_code = first_records.cty_code
    where country_years.value_usd
        > country_years.country_total_usd + {{ var('country_total_tolerance_usd') }}

),

failures as (

    select * from record_failures
    union all
    select * from country_year_failures

)

select *
from failures
order by year, cty_code, source_file, source_record, failure_reason
