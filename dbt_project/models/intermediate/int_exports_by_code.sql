-- A table, not a view: it is the one aggregation of the whole export history (millions of
-- records a year), and several models read it.
{{ config(materialized='table') }}

with

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

concordance as (

    select * from {{ ref('int_hs10_year_lists') }}

),

countries as (

    select * from {{ ref('stg_census__countries') }}

),

-- monthly / district / DF records -> one row per year x hs10 x country
exports_by_code as (

    select
        year,
        hs10_code,
        cty_code,
        sum(case when df_code = '1' then value_usd else 0 end) as domestic_value_usd,
        sum(case when df_code = '2' then value_usd else 0 end) as foreign_value_usd,
        sum(case when df_code = '3' then value_usd else 0 end) as non_contiguous_value_usd,
        count(*) as source_record_count,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from export_history
    group by year, hs10_code, cty_code

),

-- each year is classified by that year's own (as-published) lists (int_hs10_year_lists:
-- unlisted codes linked by a code change included; others drop out and are reported by
-- int_hs10_codes_missing_from_list), and only single
-- countries of that year's country list are kept (groupings such as 0003 EU would
-- double-count)
classified as (

    select
        exports_by_code.year,
        exports_by_code.hs10_code,
        exports_by_code.cty_code,
        concordance.hitech_code,
        concordance.is_atp,
        countries.cty_name,
        cast(exports_by_code.domestic_value_usd as {{ dbt.type_bigint() }}) as domestic_value_usd,
        cast(exports_by_code.foreign_value_usd as {{ dbt.type_bigint() }}) as foreign_value_usd,
        cast(exports_by_code.domestic_value_usd + exports_by_code.foreign_value_usd as {{ dbt.type_bigint() }})
            as export_value_usd,
        cast(exports_by_code.non_contiguous_value_usd as {{ dbt.type_bigint() }}) as non_contiguous_value_usd,
        exports_by_code.source_record_count,
        exports_by_code.is_synthetic
            or concordance.is_synthetic
            or countries.is_synthetic as is_synthetic
    from exports_by_code
    inner join concordance
        on exports_by_code.year = concordance.year
        and exports_by_code.hs10_code = concordance.hs10_code
    inner join countries
        on exports_by_code.year = countries.year
        and exports_by_code.cty_code = countries.cty_code
    where countries.is_real_country

)

select * from classified
