-- Each flow's and year's listed HS10 codes with their as-published ATP group and their group
-- under the fixed definition (the flow's base-year list, carried across code changes by the
-- flow's code families).

{%- set base_year = var('atp_base_year') %}

with

concordance as (

    select * from {{ ref('int_hs10_year_lists') }}

),

families as (

    select * from {{ ref('int_hs10_code_families') }}

),

listed as (

    select
        concordance.trade_flow,
        concordance.year,
        concordance.hs10_code,
        families.family_code,
        concordance.hitech_code
    from concordance
    inner join families
        on concordance.trade_flow = families.trade_flow
        and concordance.hs10_code = families.hs10_code

),

base_codes as (

    select trade_flow, hs10_code, hitech_code from listed where year = {{ base_year }}

),

base_families as (

    select
        trade_flow,
        family_code,
        count(distinct case when hitech_code <> '00' then hitech_code end) as atp_group_count,
        min(case when hitech_code <> '00' then hitech_code end) as atp_hitech_code
    from listed
    where year = {{ base_year }}
    group by trade_flow, family_code

),

classified as (

    select
        listed.trade_flow,
        listed.year,
        listed.hs10_code,
        listed.family_code,
        listed.hitech_code as published_hitech_code,
        -- a code on the base-year list keeps its own base-year group (so the base year is
        -- identical under both definitions); other codes take their family's base-year group
        case
            when base_codes.hs10_code is not null then base_codes.hitech_code
            when base_families.family_code is not null then coalesce(base_families.atp_hitech_code, '00')
        end as fixed_hitech_code,
        base_codes.hs10_code is not null or base_families.family_code is not null
            as is_linked_to_base_year,
        base_codes.hs10_code is null and coalesce(base_families.atp_group_count, 0) > 1
            as is_ambiguous_in_base_year
    from listed
    left join base_codes
        on listed.trade_flow = base_codes.trade_flow
        and listed.hs10_code = base_codes.hs10_code
    left join base_families
        on listed.trade_flow = base_families.trade_flow
        and listed.family_code = base_families.family_code

)

select * from classified
