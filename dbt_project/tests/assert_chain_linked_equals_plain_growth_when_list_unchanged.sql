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

    select year, hs10_code, hitech_code
    from {{ ref('stg_census__atp_concordance') }}
    where hitech_code <> '00'

),

code_changes as (

    select * from {{ ref('stg_census__hs10_code_changes') }}

),

changed_years as (

    -- years whose ATP list differs from the previous year's, in either direction
    select coalesce(current_list.year, previous_list.year + 1) as year
    from concordance as current_list
    full outer join concordance as previous_list
        on previous_list.year = current_list.year - 1
        and previous_list.hs10_code = current_list.hs10_code
        and previous_list.hitech_code = current_list.hitech_code
    where current_list.hs10_code is null or previous_list.hs10_code is null
    union
    select first_year from code_changes

),

unchanged_years as (

    select distinct year from growth
    where year - 1 in (select year from growth)
        and year not in (select year from changed_years where year is not null)

),

compared as (

    select
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
        on published.year = chained.year
        and published.partner_code = chained.partner_code
        and published.hitech_code = chained.hitech_code
        and chained.definition = 'chain_linked'
    where published.definition = 'as_published'
        and published.year in (select year from unchanged_years)

)

select *
from compared
where abs(coalesce(published_partner_growth, 0) - coalesce(chain_linked_partner_growth, 0)) > 1e-9
    or abs(coalesce(published_rest_of_world_growth, 0) - coalesce(chain_linked_rest_of_world_growth, 0)) > 1e-9
    or abs(coalesce(published_world_growth, 0) - coalesce(chain_linked_world_growth, 0)) > 1e-9
