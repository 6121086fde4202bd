-- The report of history HS10 codes that are on none of their flow's lists of the year (Schedule
-- B for exports, the HTS import list for imports), with the months they appear in and the value
-- they carry (exports f.a.s., every DF; imports general imports at customs value). A code a code-change row links to
-- a listed code is classified through it (int_hs10_year_lists) and shows here as resolved;
-- an unresolved code cannot be classified and drops out of the ATP fact. To resolve one, add
-- the year's later list (<year>/exp-code-<label>.txt, <year>/imp-code-<label>.txt), or a row to
-- the flow's code-change file (hs10_changes.csv, hts10_changes.csv) linking it to the listed
-- code that replaced it (first_year = the year).
-- The test assert_unlisted_codes_under_threshold fails the build when an unresolved code
-- carries more than var max_unlisted_code_value_usd in a year.
-- A table, not a view: it is a pass over every history record that three tests read.
-- Year-incremental, like int_hs10_year_lists (macros/year_incremental.sql).
{{ config(**year_incremental_config()) }}

with

trade_records as (

    select * from {{ ref('int_trade_records') }} where {{ only_refreshed_years() }}

),

year_lists as (

    select * from {{ ref('int_hs10_year_lists') }} where {{ only_refreshed_years() }}

),

listed as (

    select * from year_lists where is_listed

),

unlisted_records as (

    select trade_records.*
    from trade_records
    where not exists (
        select 1
        from listed
        where listed.trade_flow = trade_records.trade_flow
            and listed.year = trade_records.year
            and listed.hs10_code = trade_records.hs10_code
    )

),

code_totals as (

    select
        trade_flow,
        year,
        hs10_code,
        count(*) as record_count,
        cast(sum(value_usd) as {{ dbt.type_bigint() }}) as value_usd,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from unlisted_records
    group by trade_flow, year, hs10_code

),

-- the months a code appears in, each once, as text in text order: '1,10,6'
code_months as (

    select
        trade_flow,
        year,
        hs10_code,
        {{ sorted_listagg('stat_month_text', "','") }} as stat_months
    from (
        select distinct trade_flow, year, hs10_code, cast(stat_month as {{ dbt.type_string() }}) as stat_month_text
        from unlisted_records
    ) as distinct_months
    group by trade_flow, year, hs10_code

),

-- the code's first source record: the lowest record number (the first file name on a tie)
first_records as (

    select
        trade_flow,
        year,
        hs10_code,
        source_file as first_source_file,
        source_record as first_source_record,
        row_number() over (partition by trade_flow, year, hs10_code order by source_record, source_file) as record_rank
    from unlisted_records

),

by_code as (

    select
        code_totals.trade_flow,
        code_totals.year,
        code_totals.hs10_code,
        code_months.stat_months,
        code_totals.record_count,
        code_totals.value_usd,
        first_records.first_source_file,
        first_records.first_source_record,
        code_totals.is_synthetic
    from code_totals
    inner join code_months
        on code_totals.trade_flow = code_months.trade_flow
        and code_totals.year = code_months.year
        and code_totals.hs10_code = code_months.hs10_code
    inner join first_records
        on code_totals.trade_flow = first_records.trade_flow
        and code_totals.year = first_records.year
        and code_totals.hs10_code = first_records.hs10_code
        and first_records.record_rank = 1

)

select
    by_code.trade_flow,
    by_code.year,
    by_code.hs10_code,
    by_code.stat_months,
    by_code.record_count,
    by_code.value_usd,
    year_lists.hs10_code is not null as is_resolved,
    year_lists.hitech_code as resolved_hitech_code,
    case
        when year_lists.hs10_code is not null
            then {{ dbt.concat([
                "'linked by hs10_changes.csv to '", 'year_lists.linked_hs10_codes',
                "' (ATP group '", 'year_lists.hitech_code', "')'"
            ]) }}
        when by_code.trade_flow = 'imports'
            then {{ dbt.concat([
                "'unresolved: add a later HTS import list of the year (<year>/imp-code-<label>.txt) '",
                "'or an hts10_changes.csv row linking the code to a listed code'"
            ]) }}
        else {{ dbt.concat([
            "'unresolved: add a later Schedule B list of the year (<year>/exp-code-<label>.txt) '",
            "'or an hs10_changes.csv row linking the code to a listed code'"
        ]) }}
    end as resolution,
    by_code.value_usd > {{ var('max_unlisted_code_value_usd') }} as is_over_threshold,
    by_code.first_source_file,
    by_code.first_source_record,
    by_code.is_synthetic
from by_code
left join year_lists
    on by_code.trade_flow = year_lists.trade_flow
    and by_code.year = year_lists.year
    and by_code.hs10_code = year_lists.hs10_code
    and not year_lists.is_listed
