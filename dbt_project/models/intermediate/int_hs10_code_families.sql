-- Code families, per flow: HS10 codes linked by the flow's code-change concordance (splits,
-- merges, renumberings; hs10_changes.csv for Schedule B, hts10_changes.csv for the HTS) form one
-- family, identified by its lowest code. A code never renumbered is a family of one. Follows the
-- idea of Pierce & Schott (2012) code families.

with recursive

concordance as (

    select * from {{ ref('int_hs10_year_lists') }}

),

code_changes as (

    select * from {{ ref('stg_census__hs10_code_changes') }}
    union all
    select * from {{ ref('stg_census__import_code_changes') }}

),

codes as (

    select distinct trade_flow, hs10_code from concordance
    union
    select trade_flow, old_hs10_code from code_changes
    union
    select trade_flow, new_hs10_code from code_changes

),

links as (

    select trade_flow, old_hs10_code as hs10_code, new_hs10_code as linked_code from code_changes
    union
    select trade_flow, new_hs10_code as hs10_code, old_hs10_code as linked_code from code_changes

),

reachable (trade_flow, hs10_code, linked_code) as (

    select trade_flow, hs10_code, hs10_code from codes
    union
    select reachable.trade_flow, reachable.hs10_code, links.linked_code
    from reachable
    inner join links
        on reachable.trade_flow = links.trade_flow
        and reachable.linked_code = links.hs10_code

)

select
    trade_flow,
    hs10_code,
    min(linked_code) as family_code,
    count(distinct linked_code) as family_size
from reachable
group by trade_flow, hs10_code
