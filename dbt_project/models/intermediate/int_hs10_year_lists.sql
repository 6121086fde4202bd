-- Each flow's and year's HS10 codes and their ATP group: the codes of the year's lists of that
-- flow (Schedule B for exports, the HTS import list for imports), plus the history codes missing
-- from every list of the year that a row of the flow's code-change concordance links to a listed
-- code of the same year (first_year = the year). Both lists change in January and July and
-- retired codes stay acceptable for about 30 days, so a year's records can carry a code retired
-- in January (link: old code -> its successor) or added in July (link: its predecessor -> new
-- code). Such a code takes the ATP group of the listed codes it links to (the lowest ATP group
-- if they differ, '00' if none is ATP).
-- A table, not a view: its unlisted codes are a pass over every history record, and the
-- cross-year models (code families, classifications) read every year of it. Year-incremental:
-- a year's rows depend only on the year's lists, records and the code-change files
-- (macros/year_incremental.sql; a changed code-change file makes the build a full one).
{{ config(**year_incremental_config()) }}

with

concordance as (

    select * from {{ ref('stg_census__atp_concordance') }} where {{ only_refreshed_years() }}
    union all
    select * from {{ ref('stg_census__import_concordance') }} where {{ only_refreshed_years() }}

),

trade_records as (

    select * from {{ ref('int_trade_records') }} where {{ only_refreshed_years() }}

),

code_changes as (

    select * from {{ ref('stg_census__hs10_code_changes') }}
    union all
    select * from {{ ref('stg_census__import_code_changes') }}

),

unlisted_codes as (

    select distinct trade_records.trade_flow, trade_records.year, trade_records.hs10_code
    from trade_records
    where not exists (
        select 1
        from concordance
        where concordance.trade_flow = trade_records.trade_flow
            and concordance.year = trade_records.year
            and concordance.hs10_code = trade_records.hs10_code
    )

),

links as (

    select
        unlisted_codes.trade_flow,
        unlisted_codes.year,
        unlisted_codes.hs10_code,
        concordance.hs10_code as linked_hs10_code,
        concordance.hitech_code as linked_hitech_code,
        code_changes.is_synthetic
    from unlisted_codes
    inner join code_changes
        on code_changes.trade_flow = unlisted_codes.trade_flow
        and code_changes.first_year = unlisted_codes.year
        and unlisted_codes.hs10_code in (code_changes.old_hs10_code, code_changes.new_hs10_code)
    inner join concordance
        on concordance.trade_flow = unlisted_codes.trade_flow
        and concordance.year = unlisted_codes.year
        and concordance.hs10_code = case
            when code_changes.old_hs10_code = unlisted_codes.hs10_code then code_changes.new_hs10_code
            else code_changes.old_hs10_code
        end

),

link_summaries as (

    select
        trade_flow,
        year,
        hs10_code,
        coalesce(min(case when linked_hitech_code <> '00' then linked_hitech_code end), '00') as hitech_code,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from links
    group by trade_flow, year, hs10_code

),

-- the codes a code links to, each once, in code order: '8542310000, 8542390000'
linked_code_lists as (

    select
        trade_flow,
        year,
        hs10_code,
        {{ sorted_listagg('linked_hs10_code', "', '") }} as linked_hs10_codes
    from (select distinct trade_flow, year, hs10_code, linked_hs10_code from links) as distinct_links
    group by trade_flow, year, hs10_code

),

linked_codes as (

    select
        link_summaries.trade_flow,
        link_summaries.year,
        link_summaries.hs10_code,
        link_summaries.hitech_code,
        linked_code_lists.linked_hs10_codes,
        link_summaries.is_synthetic
    from link_summaries
    inner join linked_code_lists
        on link_summaries.trade_flow = linked_code_lists.trade_flow
        and link_summaries.year = linked_code_lists.year
        and link_summaries.hs10_code = linked_code_lists.hs10_code

),

final as (

    select
        -- ids
        trade_flow,
        year,
        hs10_code,
        hitech_code,

        -- attributes
        description,
        is_atp,
        true as is_listed,
        cast(null as {{ dbt.type_string() }}) as linked_hs10_codes,

        -- lineage
        source_file,
        source_record,
        is_synthetic
    from concordance

    union all

    select
        trade_flow,
        year,
        hs10_code,
        hitech_code,
        cast(null as {{ dbt.type_string() }}) as description,
        hitech_code between '01' and '10' as is_atp,
        false as is_listed,
        linked_hs10_codes,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_int() }}) as source_record,
        is_synthetic
    from linked_codes

)

select * from final
