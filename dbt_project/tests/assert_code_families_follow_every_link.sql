{{ config(severity='error', meta={'dagster': {'ref': {'name': 'int_hs10_code_families'}}}) }}

-- The two codes of every code-change link are in the same family. int_hs10_code_families
-- propagates the lowest code of a family var code_family_rounds links far: a family whose codes
-- lie further from its lowest code is split, and this test returns each link that crosses two
-- families (raise code_family_rounds in dbt_project.yml). Returns one row per such link.

with

families as (

    select * from {{ ref('int_hs10_code_families') }}

),

code_changes as (

    select * from {{ ref('stg_census__hs10_code_changes') }}
    union all
    select * from {{ ref('stg_census__import_code_changes') }}

)

select
    code_changes.trade_flow,
    code_changes.old_hs10_code,
    old_families.family_code as old_family_code,
    code_changes.new_hs10_code,
    new_families.family_code as new_family_code
from code_changes
left join families as old_families
    on code_changes.trade_flow = old_families.trade_flow
    and code_changes.old_hs10_code = old_families.hs10_code
left join families as new_families
    on code_changes.trade_flow = new_families.trade_flow
    and code_changes.new_hs10_code = new_families.hs10_code
where old_families.family_code is null
    or new_families.family_code is null
    or old_families.family_code <> new_families.family_code
