{{ config(materialized='table') }}

-- Code families, per flow: HS10 codes linked by the flow's code-change concordance (splits,
-- merges, renumberings; hs10_changes.csv for Schedule B, hts10_changes.csv for the HTS) form one
-- family, identified by its lowest code. A code never renumbered is a family of one. Follows the
-- idea of Pierce & Schott (2012) code families.
--
-- The families are the connected components of the link graph, found by lowest-label
-- propagation in plain SQL (no recursive CTE: Spark has none that stops on a graph with cycles,
-- and the links run both ways): every linked code starts labelled with itself, and each round
-- gives it the lowest label among itself and the codes it is linked to. After k rounds a code
-- holds the lowest code within k links, so var code_family_rounds rounds suffice for families
-- whose codes are at most that many links from their lowest code; the data test
-- assert_code_families_follow_every_link fails (naming the link) if a family needs more.
-- A table (small: one row per code of a flow), so that the rounds run once per build rather than
-- inside every model and test that reads the families (Spark would plan them again in each).

{%- set rounds = var('code_family_rounds') | int %}

with

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

-- each linked code with itself and with every code linked to it, in both directions
neighbours as (

    select trade_flow, old_hs10_code as hs10_code, old_hs10_code as linked_code from code_changes
    union
    select trade_flow, new_hs10_code as hs10_code, new_hs10_code as linked_code from code_changes
    union
    select trade_flow, old_hs10_code as hs10_code, new_hs10_code as linked_code from code_changes
    union
    select trade_flow, new_hs10_code as hs10_code, old_hs10_code as linked_code from code_changes

),

labels_0 as (

    select distinct trade_flow, hs10_code, hs10_code as family_code from neighbours

),

{%- for round in range(1, rounds + 1) %}

labels_{{ round }} as {{ cte_materialized() }} (

    select neighbours.trade_flow, neighbours.hs10_code, min(labels_{{ round - 1 }}.family_code) as family_code
    from neighbours
    inner join labels_{{ round - 1 }}
        on neighbours.trade_flow = labels_{{ round - 1 }}.trade_flow
        and neighbours.linked_code = labels_{{ round - 1 }}.hs10_code
    group by neighbours.trade_flow, neighbours.hs10_code

),

{%- endfor %}

families as (

    select
        codes.trade_flow,
        codes.hs10_code,
        coalesce(labels_{{ rounds }}.family_code, codes.hs10_code) as family_code
    from codes
    left join labels_{{ rounds }}
        on codes.trade_flow = labels_{{ rounds }}.trade_flow
        and codes.hs10_code = labels_{{ rounds }}.hs10_code

)

select
    trade_flow,
    hs10_code,
    family_code,
    count(*) over (partition by trade_flow, family_code) as family_size
from families
