-- How each HS10 code's ATP status changed from the previous year's list of its flow to this
-- year's:
-- added (not ATP before), dropped (ATP before, not now, or discontinued without successor),
-- moved (ATP in another group before), renumbered (its family was in the same group under
-- other codes), unlinked (a new code whose family has no code on the previous year's list).
-- Codes whose status did not change have no row. Each flow has its own lists and movements.

with

classifications as (

    select * from {{ ref('int_hs10_code_classifications') }}

),

years as (

    select distinct trade_flow, year from classifications

),

linked_years as (

    -- years whose previous year is loaded too (for the flow)
    select years.trade_flow, years.year
    from years
    inner join years as previous_years
        on previous_years.trade_flow = years.trade_flow
        and previous_years.year = years.year - 1

),

family_groups as (

    -- each family listed in a year: how many ATP groups its codes are in (0 when none of its
    -- codes is ATP) and the lowest of them
    select
        trade_flow,
        year,
        family_code,
        count(distinct case when published_hitech_code <> '00' then published_hitech_code end)
            as atp_group_count,
        min(case when published_hitech_code <> '00' then published_hitech_code end) as lowest_atp_hitech_code
    from classifications
    group by trade_flow, year, family_code

),

family_atp_groups as (

    -- one row per year x family x ATP group its codes are in
    select distinct trade_flow, year, family_code, published_hitech_code as hitech_code
    from classifications
    where published_hitech_code <> '00'

),

current_atp_codes as (

    select
        current_codes.trade_flow,
        current_codes.year,
        current_codes.hs10_code,
        current_codes.published_hitech_code as to_hitech_code,
        previous_codes.published_hitech_code as previous_hitech_code,
        -- the code's family the year before: whether it was listed, in how many ATP groups, the
        -- lowest of them, and whether the code's group now was one of them
        previous_families.family_code is not null as is_family_listed_before,
        previous_families.atp_group_count as previous_family_atp_group_count,
        previous_families.lowest_atp_hitech_code as previous_family_lowest_hitech_code,
        previous_family_groups.hitech_code is not null as was_family_in_group_before
    from classifications as current_codes
    inner join linked_years
        on current_codes.trade_flow = linked_years.trade_flow
        and current_codes.year = linked_years.year
    left join classifications as previous_codes
        on previous_codes.trade_flow = current_codes.trade_flow
        and previous_codes.year = current_codes.year - 1
        and previous_codes.hs10_code = current_codes.hs10_code
    left join family_groups as previous_families
        on previous_families.trade_flow = current_codes.trade_flow
        and previous_families.year = current_codes.year - 1
        and previous_families.family_code = current_codes.family_code
    left join family_atp_groups as previous_family_groups
        on previous_family_groups.trade_flow = current_codes.trade_flow
        and previous_family_groups.year = current_codes.year - 1
        and previous_family_groups.family_code = current_codes.family_code
        and previous_family_groups.hitech_code = current_codes.published_hitech_code
    where current_codes.published_hitech_code <> '00'

),

arrivals as (

    select
        trade_flow,
        year,
        hs10_code,
        case
            when previous_hitech_code is not null and previous_hitech_code = to_hitech_code then null
            when previous_hitech_code = '00' then 'added'
            when previous_hitech_code is not null then 'moved'
            when not is_family_listed_before then 'unlinked'
            when was_family_in_group_before then 'renumbered'
            when previous_family_atp_group_count = 0 then 'added'
            else 'moved'
        end as movement,
        case
            when previous_hitech_code is not null then previous_hitech_code
            when is_family_listed_before and previous_family_atp_group_count > 0
                then case
                    when was_family_in_group_before then to_hitech_code
                    else previous_family_lowest_hitech_code
                end
        end as from_hitech_code,
        to_hitech_code
    from current_atp_codes

),

departures as (

    select
        linked_years.trade_flow,
        linked_years.year,
        previous_codes.hs10_code,
        'dropped' as movement,
        previous_codes.published_hitech_code as from_hitech_code,
        coalesce(current_codes.published_hitech_code, '00') as to_hitech_code
    from classifications as previous_codes
    inner join linked_years
        on previous_codes.trade_flow = linked_years.trade_flow
        and previous_codes.year = linked_years.year - 1
    left join classifications as current_codes
        on current_codes.trade_flow = linked_years.trade_flow
        and current_codes.year = linked_years.year
        and current_codes.hs10_code = previous_codes.hs10_code
    left join family_groups as current_families
        on current_families.trade_flow = linked_years.trade_flow
        and current_families.year = linked_years.year
        and current_families.family_code = previous_codes.family_code
    where previous_codes.published_hitech_code <> '00'
        and (
            current_codes.published_hitech_code = '00'
            or (current_codes.hs10_code is null and current_families.family_code is null)
            or (current_codes.hs10_code is null and current_families.atp_group_count = 0)
        )

)

select * from arrivals where movement is not null
union all
select * from departures
