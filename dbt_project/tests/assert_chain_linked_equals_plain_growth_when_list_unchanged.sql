{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_growth'}}}) }}

-- In a year whose ATP list (code -> group) is the same as the previous year's and where no
-- code changed number, chain-linked growth must equal as-published growth, for every scope and
-- group, for the partner, its rest of world and the world. Returns the years, partners and
-- groups where they differ.

with

growth as (

    select * from {{ ref('fct_atp_growth') }}

),

concordance as (

    select trade_flow, year, hs10_code, hitech_code
    from {{ ref('stg_census__atp_concordance') }}
    where hitech_code <> '00'
    union all
    select trade_flow, year, hs10_code, hitech_code
    from {{ ref('stg_census__import_concordance') }}
    where hitech_code <> '00'

),

code_changes as (

    select * from {{ ref('stg_census__hs10_code_changes') }}
    union all
    select * from {{ ref('stg_census__import_code_changes') }}

),

changed_years as (

    -- each flow's years whose ATP list differs from the previous year's, in either direction
    select
        coalesce(current_list.trade_flow, previous_list.trade_flow) as trade_flow,
        coalesce(current_list.year, previous_list.year + 1) as year
    from concordance as current_list
    full outer join concordance as previous_list
        on previous_list.trade_flow = current_list.trade_flow
        and previous_list.year = current_list.year - 1
        and previous_list.hs10_code = current_list.hs10_code
        and previous_list.hitech_code = current_list.hitech_code
    where current_list.hs10_code is null or previous_list.hs10_code is null
    union
    select trade_flow, first_year from code_changes

),

unchanged_years as (

    select distinct growth.trade_flow, growth.year
    from growth
    where exists (
        select 1 from growth as previous_growth
        where previous_growth.trade_flow = growth.trade_flow and previous_growth.year = growth.year - 1
    )
        and not exists (
            select 1 from changed_years
            where changed_years.trade_flow = growth.trade_flow and changed_years.year = growth.year
        )

),

compared as (

    select
        published.trade_flow,
        published.year,
        published.partner_code,
        published.hitech_code,
        published.partner_yoy_growth as published_partner_growth,
        chained.partner_yoy_growth as chain_linked_partner_growth,
        published.rest_of_world_yoy_growth as published_rest_of_world_growth,
        chained.rest_of_world_yoy_growth as chain_linked_rest_of_world_growth,
        published.world_yoy_growth as published_world_growth,
        chained.world_yoy_growth as chain_linked_world_growth
    from growth as published
    inner join growth as chained
        on published.trade_flow = chained.trade_flow
        and published.year = chained.year
        and published.partner_code = chained.partner_code
        and published.hitech_code = chained.hitech_code
        and chained.definition = 'chain_linked'
    where published.definition = 'as_published'
        and exists (
            select 1 from unchanged_years
            where unchanged_years.trade_flow = published.trade_flow and unchanged_years.year = published.year
        )

)

select *
from compared
where abs(coalesce(published_partner_growth, 0) - coalesce(chain_linked_partner_growth, 0)) > 1e-9
    or abs(coalesce(published_rest_of_world_growth, 0) - coalesce(chain_linked_rest_of_world_growth, 0)) > 1e-9
    or abs(coalesce(published_world_growth, 0) - coalesce(chain_linked_world_growth, 0)) > 1e-9
