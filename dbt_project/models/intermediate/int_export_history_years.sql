-- Loaded years of the export history and whether each is complete: a year of monthly records
-- (EM545/EA645) is complete when it has records for December; a year of Census API annual
-- values (December year to date, stat_month empty) is complete by construction (the loader
-- refuses an exports/hitech table without December). Figures leave incomplete years out.

with

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

years as (

    select
        year,
        count(distinct stat_month) as months_with_records,
        max(stat_month) as last_stat_month,
        -- every record without a month: count() skips the nulls
        count(stat_month) = 0 as has_annual_values,
        count(*) as record_count
    from export_history
    group by year

)

select
    year,
    months_with_records,
    last_stat_month,
    has_annual_values,
    record_count,
    has_annual_values or last_stat_month = 12 as is_complete_year
from years
