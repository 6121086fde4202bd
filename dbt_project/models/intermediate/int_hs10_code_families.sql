-- Code families: HS10 codes linked by the code-change concordance (splits, merges,
-- renumberings) form one family, identified by its lowest code. A code never renumbered is a
-- family of one. Follows the idea of Pierce & Schott (2012) code families.

with recursive

concordance as (

    select * from {{ ref('int_hs10_year_lists') }}

),

code_changes as (

    select * from {{ ref('stg_census__hs10_code_changes') }}

),

codes as (

    select distinct hs10_code from concordance
    union
    select old_hs10_code from code_changes
    union
    select new_hs10_code from code_changes

),

links as (

    select old_hs10_code as hs10_code, new_hs10_code as linked_code from code_changes
    union
    select new_hs10_code as hs10_code, old_hs10_code as linked_code from code_changes

),

reachable (hs10_code, linked_code) as (

    select hs10_code, hs10_code from codes
    union
    select reachable.hs10_code, links.linked_code
    from reachable
    inner join links on reachable.linked_code = links.hs10_code

)

select
    hs10_code,
    min(linked_code) as family_code,
    count(distinct linked_code) as family_size
from reachable
group by hs10_code
