-- Loaded years of each flow's history and whether each is complete: a year of monthly records
-- (EM545/EA645, IM145/IA245) is complete when it has records for December; a year of Census API
-- annual values (December year to date, stat_month empty) is complete by construction (the
-- loader refuses an exports/hitech or imports/hitech table without December). Figures and the
-- checks against annual totals leave incomplete years out. A table, year-incremental (a year's row
-- is its own records'): figures and the console read it without reading the records.

{{ config(**year_incremental_config()) }}

with

trade_records as (

    select * from {{ ref('int_trade_records') }}
    where {{ only_refreshed_years() }}

),

years as (

    select
        trade_flow,
        year,
        count(distinct stat_month) as months_with_records,
        max(stat_month) as last_stat_month,
        -- every record without a month: count() skips the nulls
        count(stat_month) = 0 as has_annual_values,
        count(*) as record_count
    from trade_records
    group by trade_flow, year

)

select
    trade_flow,
    year,
    months_with_records,
    last_stat_month,
    has_annual_values,
    record_count,
    has_annual_values or last_stat_month = 12 as is_complete_year
from years
