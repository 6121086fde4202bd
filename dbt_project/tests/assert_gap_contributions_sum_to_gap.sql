{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_hs10_gap_contributions'}}}) }}

-- The drill-down adds up: for every year x partner x definition x ATP group, the contributions
-- of the group's HS10 codes sum to the group's gap in fct_specialization_gaps within 1e-9
-- percentage points (a group without codes has a gap of 0 or none), and the codes' values sum
-- to the group's partner and rest-of-world values to the dollar. Returns the groups that differ.

with

gaps as (

    select * from {{ ref('fct_specialization_gaps') }}

),

contributions as (

    select
        trade_flow,
        year,
        partner_code,
        definition,
        hitech_code,
        sum(contribution_pp) as contribution_pp,
        sum(partner_value_usd) as partner_value_usd,
        sum(rest_of_world_value_usd) as rest_of_world_value_usd
    from {{ ref('fct_hs10_gap_contributions') }}
    group by trade_flow, year, partner_code, definition, hitech_code

)

select
    gaps.trade_flow,
    gaps.year,
    gaps.partner_code,
    gaps.definition,
    gaps.hitech_code,
    gaps.gap_pp,
    contributions.contribution_pp
from gaps
left join contributions
    on gaps.trade_flow = contributions.trade_flow
    and gaps.year = contributions.year
    and gaps.partner_code = contributions.partner_code
    and gaps.definition = contributions.definition
    and gaps.hitech_code = contributions.hitech_code
where abs(coalesce(gaps.gap_pp, 0) - coalesce(contributions.contribution_pp, 0)) > 1e-9
    or gaps.partner_value_usd <> coalesce(contributions.partner_value_usd, 0)
    or gaps.rest_of_world_value_usd <> coalesce(contributions.rest_of_world_value_usd, 0)
