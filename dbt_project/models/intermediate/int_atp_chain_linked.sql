-- The chain-linked ATP series of every partner, its rest of world and the world, per trade flow
-- (each flow on its own lists and code families), by ATP group
-- and for all groups ('all'): year-over-year growth measured on the code families that are ATP
-- in the same group in both adjacent years (so codes entering or leaving the list, or moving
-- between groups, do not count as growth), chained into an index (first year = 100) and
-- expressed as a value at the first year's as-published level (USD).
-- One row per flow x year x partner x scope ('partner', 'rest_of_world', 'world') x hitech_code.

with

partner_values as (

    select * from {{ ref('int_partner_atp_values') }} where definition = 'as_published'

),

trade_by_code as (

    select * from {{ ref('int_trade_by_code') }}

),

classifications as (

    select * from {{ ref('int_hs10_code_classifications') }}

),

members as (

    select * from {{ ref('int_partner_members') }}

),

published as (

    select trade_flow, year, partner_code, hitech_code, partner_value_usd, rest_of_world_value_usd, world_value_usd
    from partner_values
    union all
    select
        trade_flow,
        year,
        partner_code,
        'all' as hitech_code,
        sum(partner_value_usd),
        sum(rest_of_world_value_usd),
        sum(world_value_usd)
    from partner_values
    group by trade_flow, year, partner_code

),

family_years as (

    -- a family's group in a year: the one ATP group of its listed codes; '00' if none is ATP;
    -- null if its ATP codes sit in several groups (then it cannot be matched)
    select
        trade_flow,
        year,
        family_code,
        case
            when count(distinct case when published_hitech_code <> '00' then published_hitech_code end) = 1
                then min(case when published_hitech_code <> '00' then published_hitech_code end)
            when count(case when published_hitech_code <> '00' then 1 end) = 0 then '00'
        end as family_hitech_code
    from classifications
    group by trade_flow, year, family_code

),

matched_families as (

    -- families in the same ATP group in a year and the year before
    select
        current_families.trade_flow,
        current_families.year,
        current_families.family_code,
        current_families.family_hitech_code as hitech_code
    from family_years as current_families
    inner join family_years as previous_families
        on previous_families.trade_flow = current_families.trade_flow
        and previous_families.year = current_families.year - 1
        and previous_families.family_code = current_families.family_code
    where current_families.family_hitech_code <> '00'
        and current_families.family_hitech_code = previous_families.family_hitech_code

),

family_country_values as (

    -- trade of each family's ATP codes (as published) with each country
    select
        trade_by_code.trade_flow,
        trade_by_code.year,
        trade_by_code.cty_code,
        classifications.family_code,
        sum(trade_by_code.value_usd) as value_usd
    from trade_by_code
    inner join classifications
        on trade_by_code.trade_flow = classifications.trade_flow
        and trade_by_code.year = classifications.year
        and trade_by_code.hs10_code = classifications.hs10_code
    where classifications.published_hitech_code <> '00'
    group by trade_by_code.trade_flow, trade_by_code.year, trade_by_code.cty_code, classifications.family_code

),

family_partner_values as (

    select family_country_values.trade_flow, members.year, members.partner_code, family_country_values.family_code,
        sum(family_country_values.value_usd) as value_usd
    from members
    inner join family_country_values
        on members.year = family_country_values.year
        and members.cty_code = family_country_values.cty_code
    group by family_country_values.trade_flow, members.year, members.partner_code, family_country_values.family_code

),

family_world_values as (

    select trade_flow, year, family_code, sum(value_usd) as value_usd
    from family_country_values
    group by trade_flow, year, family_code

),

-- matched families' values in the year (now) and the year before (previous)
partner_matched_pieces as (

    select matched_families.trade_flow, matched_families.year, family_partner_values.partner_code,
        matched_families.hitech_code, family_partner_values.value_usd as now_usd, 0 as previous_usd
    from matched_families
    inner join family_partner_values
        on family_partner_values.trade_flow = matched_families.trade_flow
        and family_partner_values.year = matched_families.year
        and family_partner_values.family_code = matched_families.family_code
    union all
    select matched_families.trade_flow, matched_families.year, family_partner_values.partner_code,
        matched_families.hitech_code, 0 as now_usd, family_partner_values.value_usd as previous_usd
    from matched_families
    inner join family_partner_values
        on family_partner_values.trade_flow = matched_families.trade_flow
        and family_partner_values.year = matched_families.year - 1
        and family_partner_values.family_code = matched_families.family_code

),

world_matched_pieces as (

    select matched_families.trade_flow, matched_families.year, matched_families.hitech_code,
        coalesce(current_values.value_usd, 0) as now_usd,
        coalesce(previous_values.value_usd, 0) as previous_usd
    from matched_families
    left join family_world_values as current_values
        on current_values.trade_flow = matched_families.trade_flow
        and current_values.year = matched_families.year
        and current_values.family_code = matched_families.family_code
    left join family_world_values as previous_values
        on previous_values.trade_flow = matched_families.trade_flow
        and previous_values.year = matched_families.year - 1
        and previous_values.family_code = matched_families.family_code

),

partner_matched_by_group as (

    select trade_flow, year, partner_code, hitech_code, sum(now_usd) as now_usd, sum(previous_usd) as previous_usd
    from partner_matched_pieces
    group by trade_flow, year, partner_code, hitech_code

),

partner_matched as (

    select * from partner_matched_by_group
    union all
    select trade_flow, year, partner_code, 'all' as hitech_code, sum(now_usd), sum(previous_usd)
    from partner_matched_by_group
    group by trade_flow, year, partner_code

),

world_matched_by_group as (

    select trade_flow, year, hitech_code, sum(now_usd) as now_usd, sum(previous_usd) as previous_usd
    from world_matched_pieces
    group by trade_flow, year, hitech_code

),

world_matched as (

    select * from world_matched_by_group
    union all
    select trade_flow, year, 'all' as hitech_code, sum(now_usd), sum(previous_usd)
    from world_matched_by_group
    group by trade_flow, year

),

matched as (

    select
        published.trade_flow,
        published.year,
        published.partner_code,
        published.hitech_code,
        published.partner_value_usd,
        published.rest_of_world_value_usd,
        published.world_value_usd,
        coalesce(partner_matched.now_usd, 0) as partner_now_usd,
        coalesce(partner_matched.previous_usd, 0) as partner_previous_usd,
        coalesce(world_matched.now_usd, 0) as world_now_usd,
        coalesce(world_matched.previous_usd, 0) as world_previous_usd
    from published
    left join partner_matched
        on published.trade_flow = partner_matched.trade_flow
        and published.year = partner_matched.year
        and published.partner_code = partner_matched.partner_code
        and published.hitech_code = partner_matched.hitech_code
    left join world_matched
        on published.trade_flow = world_matched.trade_flow
        and published.year = world_matched.year
        and published.hitech_code = world_matched.hitech_code

),

scoped as (

    select trade_flow, year, partner_code, hitech_code, 'partner' as partner_scope, partner_value_usd as published_value_usd,
        partner_now_usd as now_usd, partner_previous_usd as previous_usd
    from matched
    union all
    select trade_flow, year, partner_code, hitech_code, 'rest_of_world' as partner_scope, rest_of_world_value_usd,
        world_now_usd - partner_now_usd, world_previous_usd - partner_previous_usd
    from matched
    union all
    select trade_flow, year, partner_code, hitech_code, 'world' as partner_scope, world_value_usd,
        world_now_usd, world_previous_usd
    from matched

),

chain_steps as (

    select
        *,
        cast(now_usd as {{ dbt.type_float() }}) / nullif(previous_usd, 0) - 1 as matched_growth,
        min(year) over (partition by trade_flow, partner_code, partner_scope, hitech_code) as first_year
    from scoped

),

logged as (

    select
        *,
        case
            when year = first_year then 0
            when 1 + matched_growth > 0 then ln(1 + matched_growth)
        end as log_step
    from chain_steps

),

chain_index as (

    -- 100 in the first year; a year whose growth cannot be computed (no matched value the
    -- year before, or a fall to zero) breaks the chain: the index is empty from there on (the
    -- chain holds while every log step so far is known: as many steps as rows)
    select
        *,
        case when count(log_step) over running = count(*) over running
            then 100 * exp(sum(log_step) over running) end as index_first_year_100,
        first_value(published_value_usd) over running as first_year_value_usd
    from logged
    window running as (partition by trade_flow, partner_code, partner_scope, hitech_code order by year
                       rows between unbounded preceding and current row)

)

select
    trade_flow,
    year,
    partner_code,
    partner_scope,
    hitech_code,
    cast(round(first_year_value_usd * index_first_year_100 / 100) as {{ dbt.type_bigint() }}) as value_usd,
    case when year <> first_year then matched_growth end as yoy_growth,
    index_first_year_100
from chain_index
