-- A table, not a view: it is the one aggregation of the whole trade history (millions of
-- records a year and flow), and several models read it. Year-incremental: a run rebuilds only
-- the years it loaded (macros/year_incremental.sql).
{{ config(**year_incremental_config()) }}

with

trade_records as (

    select * from {{ ref('int_trade_records') }} where {{ only_refreshed_years() }}

),

concordance as (

    select * from {{ ref('int_hs10_year_lists') }} where {{ only_refreshed_years() }}

),

countries as (

    select * from {{ ref('stg_census__countries') }} where {{ only_refreshed_years() }}

),

-- monthly / district / DF / subcode records -> one row per flow x year x hs10 x country; the
-- DF columns are null for imports, the consumption value null for exports (and for Census API
-- import rows, which carry general imports only)
trade_by_code as (

    select
        trade_flow,
        year,
        hs10_code,
        cty_code,
        sum(case when df_code = '1' then value_usd when trade_flow = 'exports' then 0 end) as domestic_value_usd,
        sum(case when df_code = '2' then value_usd when trade_flow = 'exports' then 0 end) as foreign_value_usd,
        sum(case when df_code = '3' then value_usd when trade_flow = 'exports' then 0 end) as non_contiguous_value_usd,
        sum(case when trade_flow = 'imports' then value_usd else 0 end) as general_imports_value_usd,
        sum(case when trade_flow = 'imports' then consumption_value_usd end) as consumption_value_usd,
        count(*) as source_record_count,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from trade_records
    group by trade_flow, year, hs10_code, cty_code

),

-- each flow and year is classified by that flow's own lists of the year (as published;
-- int_hs10_year_lists: unlisted codes linked by a code change included; others drop out and are
-- reported by int_hs10_codes_missing_from_list), and only single countries of that year's
-- country list are kept (groupings such as 0003 EU would double-count)
classified as (

    select
        trade_by_code.trade_flow,
        trade_by_code.year,
        trade_by_code.hs10_code,
        trade_by_code.cty_code,
        concordance.hitech_code,
        concordance.is_atp,
        countries.cty_name,
        -- exports: domestic + foreign f.a.s. (non-contiguous shipments apart);
        -- imports: general imports, customs value
        cast(
            case
                when trade_by_code.trade_flow = 'exports'
                    then trade_by_code.domestic_value_usd + trade_by_code.foreign_value_usd
                else trade_by_code.general_imports_value_usd
            end as {{ dbt.type_bigint() }}
        ) as value_usd,
        cast(trade_by_code.domestic_value_usd as {{ dbt.type_bigint() }}) as domestic_value_usd,
        cast(trade_by_code.foreign_value_usd as {{ dbt.type_bigint() }}) as foreign_value_usd,
        cast(trade_by_code.non_contiguous_value_usd as {{ dbt.type_bigint() }}) as non_contiguous_value_usd,
        cast(trade_by_code.consumption_value_usd as {{ dbt.type_bigint() }}) as consumption_value_usd,
        trade_by_code.source_record_count,
        trade_by_code.is_synthetic
            or concordance.is_synthetic
            or countries.is_synthetic as is_synthetic
    from trade_by_code
    inner join concordance
        on trade_by_code.trade_flow = concordance.trade_flow
        and trade_by_code.year = concordance.year
        and trade_by_code.hs10_code = concordance.hs10_code
    inner join countries
        on trade_by_code.year = countries.year
        and trade_by_code.cty_code = countries.cty_code
    where countries.is_real_country

)

select * from classified
