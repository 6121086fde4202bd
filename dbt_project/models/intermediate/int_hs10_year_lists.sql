-- Each year's HS10 codes and their ATP group: the codes of the year's Schedule B lists, plus
-- the export-history codes missing from every list that a row of the code-change concordance
-- links to a listed code of the same year (first_year = the year). Schedule B changes in
-- January and July and retired codes stay acceptable for about 30 days, so a year's records
-- can carry a code retired in January (link: old code -> its successor) or added in July
-- (link: its predecessor -> new code). Such a code takes the ATP group of the listed codes it
-- links to (the lowest ATP group if they differ, '00' if none is ATP).

with

concordance as (

    select * from {{ ref('stg_census__atp_concordance') }}

),

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

code_changes as (

    select * from {{ ref('stg_census__hs10_code_changes') }}

),

unlisted_codes as (

    select distinct export_history.year, export_history.hs10_code
    from export_history
    where not exists (
        select 1
        from concordance
        where concordance.year = export_history.year
            and concordance.hs10_code = export_history.hs10_code
    )

),

links as (

    select
        unlisted_codes.year,
        unlisted_codes.hs10_code,
        concordance.hs10_code as linked_hs10_code,
        concordance.hitech_code as linked_hitech_code,
        code_changes.is_synthetic
    from unlisted_codes
    inner join code_changes
        on code_changes.first_year = unlisted_codes.year
        and unlisted_codes.hs10_code in (code_changes.old_hs10_code, code_changes.new_hs10_code)
    inner join concordance
        on concordance.year = unlisted_codes.year
        and concordance.hs10_code = case
            when code_changes.old_hs10_code = unlisted_codes.hs10_code then code_changes.new_hs10_code
            else code_changes.old_hs10_code
        end

),

link_summaries as (

    select
        year,
        hs10_code,
        coalesce(min(case when linked_hitech_code <> '00' then linked_hitech_code end), '00') as hitech_code,
        {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from links
    group by year, hs10_code

),

-- the codes a code links to, each once, in code order: '8542310000, 8542390000'
linked_code_lists as (

    select
        year,
        hs10_code,
        {{ dbt.listagg('linked_hs10_code', "', '", 'order by linked_hs10_code') }} as linked_hs10_codes
    from (select distinct year, hs10_code, linked_hs10_code from links) as distinct_links
    group by year, hs10_code

),

linked_codes as (

    select
        link_summaries.year,
        link_summaries.hs10_code,
        link_summaries.hitech_code,
        linked_code_lists.linked_hs10_codes,
        link_summaries.is_synthetic
    from link_summaries
    inner join linked_code_lists
        on link_summaries.year = linked_code_lists.year
        and link_summaries.hs10_code = linked_code_lists.hs10_code

),

final as (

    select
        -- ids
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
