{{ config(severity='error', meta={'dagster': {'ref': {'name': 'mart_atp_growth'}}}) }}

-- In a year whose ATP list (code -> group) is the same as the previous year's and where no
-- code changed number, chain-linked growth must equal as-published growth, for every scope and
-- group. Returns the years, scopes and groups where they differ.

with

growth as (

    select * from {{ ref('mart_atp_growth') }}

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
        published.partner_scope,
        published.hitech_code,
        published.yoy_growth as published_growth,
        chained.yoy_growth as chain_linked_growth
    from growth as published
    inner join growth as chained
        on published.year = chained.year
        and published.partner_scope = chained.partner_scope
        and published.hitech_code = chained.hitech_code
        and chained.definition = 'chain_linked'
    where published.definition = 'as_published'
        and published.year in (select year from unchanged_years)

)

select *
from compared
where abs(coalesce(published_growth, 0) - coalesce(chain_linked_growth, 0)) > 1e-9
