{{ config(severity='error', meta={'dagster': {'ref': {'name': 'mart_atp_growth'}}}) }}

-- Additive definitions (as published, fixed) must sum consistently: the 'all' row equals the
-- sum of the ten groups, and rest_of_world + china equals world, for every year. Returns the
-- inconsistent rows.

with

growth as (

    select * from {{ ref('mart_atp_growth') }}
    where definition <> 'chain_linked'

),

groups_vs_all as (

    select
        year,
        partner_scope,
        definition,
        sum(value_usd) filter (where hitech_code <> 'all') as sum_of_groups_usd,
        sum(value_usd) filter (where hitech_code = 'all') as all_groups_usd
    from growth
    group by year, partner_scope, definition

),

scopes as (

    select
        year,
        definition,
        hitech_code,
        sum(value_usd) filter (where partner_scope in ('china', 'rest_of_world')) as china_plus_row_usd,
        sum(value_usd) filter (where partner_scope = 'world') as world_usd
    from growth
    group by year, definition, hitech_code

)

select year, partner_scope, definition, null as hitech_code, sum_of_groups_usd as left_usd,
    all_groups_usd as right_usd
from groups_vs_all
where sum_of_groups_usd is distinct from all_groups_usd
union all
select year, 'china + rest_of_world vs world', definition, hitech_code, china_plus_row_usd, world_usd
from scopes
where china_plus_row_usd is distinct from world_usd
