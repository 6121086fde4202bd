-- How much of each year's change in a group's ATP exports is reclassification: per year x ATP
-- group x partner scope (the focus partner, China by default, and the world), the codes added
-- to, dropped from, moved into and out of the group, renumbered and unlinkable, with the
-- export value each movement carries in that year, and as_published - fixed.

{%- set focus_partner_code = var('focus_partner_code') %}
{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

movements as (

    select * from {{ ref('int_atp_code_movements') }}

),

exports_by_code as (

    select * from {{ ref('int_exports_by_code') }}

),

by_definition as (

    select * from {{ ref('fct_atp_exports_by_definition') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

concordance_years as (

    select distinct year from {{ ref('int_hs10_year_lists') }}

),

scopes as (

    select 'china' as partner_scope
    union all
    select 'world' as partner_scope

),

spine as (

    select concordance_years.year, atp_groups.hitech_code, atp_groups.group_name, scopes.partner_scope
    from concordance_years
    cross join atp_groups
    cross join scopes

),

code_values as (

    select
        year,
        hs10_code,
        sum(export_value_usd) as world_value_usd,
        sum(case when cty_code = '{{ focus_partner_code }}' then export_value_usd else 0 end) as china_value_usd
    from exports_by_code
    group by year, hs10_code

),

valued_movements as (

    select
        movements.year,
        movements.hs10_code,
        movements.movement,
        movements.from_hitech_code,
        movements.to_hitech_code,
        scopes.partner_scope,
        coalesce(
            case when scopes.partner_scope = 'china' then code_values.china_value_usd else code_values.world_value_usd end,
            0
        ) as value_usd
    from movements
    cross join scopes
    left join code_values
        on movements.year = code_values.year
        and movements.hs10_code = code_values.hs10_code

),

into_group as (

    select
        year,
        to_hitech_code as hitech_code,
        partner_scope,
        count(*) filter (where movement = 'added') as codes_added,
        sum(value_usd) filter (where movement = 'added') as value_added_usd,
        count(*) filter (where movement = 'moved') as codes_moved_in,
        sum(value_usd) filter (where movement = 'moved') as value_moved_in_usd,
        count(*) filter (where movement = 'renumbered') as codes_renumbered,
        sum(value_usd) filter (where movement = 'renumbered') as value_renumbered_usd,
        count(*) filter (where movement = 'unlinked') as codes_unlinked,
        sum(value_usd) filter (where movement = 'unlinked') as value_unlinked_usd
    from valued_movements
    where movement in ('added', 'moved', 'renumbered', 'unlinked')
    group by year, to_hitech_code, partner_scope

),

out_of_group as (

    select
        year,
        from_hitech_code as hitech_code,
        partner_scope,
        count(*) filter (where movement = 'dropped') as codes_dropped,
        sum(value_usd) filter (where movement = 'dropped') as value_dropped_usd,
        count(*) filter (where movement = 'moved') as codes_moved_out,
        sum(value_usd) filter (where movement = 'moved') as value_moved_out_usd
    from valued_movements
    where movement in ('dropped', 'moved')
    group by year, from_hitech_code, partner_scope

),

definition_values as (

    select
        year,
        hitech_code,
        scopes.partner_scope,
        sum(export_value_usd) filter (where definition = 'as_published') as as_published_value_usd,
        sum(export_value_usd) filter (where definition = '{{ definition_fixed }}') as fixed_value_usd
    from by_definition
    cross join scopes
    where scopes.partner_scope = 'world' or by_definition.cty_code = '{{ focus_partner_code }}'
    group by year, hitech_code, scopes.partner_scope

),

base_year_loaded as (

    select count(*) > 0 as is_loaded from concordance_years where year = {{ var('atp_base_year') }}

)

select
    -- ids
    spine.year,
    spine.hitech_code,
    spine.partner_scope,

    -- attributes
    spine.group_name,
    '{{ definition_fixed }}' as fixed_definition,

    -- measures: code counts, and export value in the year, whole USD
    coalesce(into_group.codes_added, 0) as codes_added,
    cast(coalesce(into_group.value_added_usd, 0) as bigint) as value_added_usd,
    coalesce(out_of_group.codes_dropped, 0) as codes_dropped,
    cast(coalesce(out_of_group.value_dropped_usd, 0) as bigint) as value_dropped_usd,
    coalesce(into_group.codes_moved_in, 0) as codes_moved_in,
    cast(coalesce(into_group.value_moved_in_usd, 0) as bigint) as value_moved_in_usd,
    coalesce(out_of_group.codes_moved_out, 0) as codes_moved_out,
    cast(coalesce(out_of_group.value_moved_out_usd, 0) as bigint) as value_moved_out_usd,
    coalesce(into_group.codes_renumbered, 0) as codes_renumbered,
    cast(coalesce(into_group.value_renumbered_usd, 0) as bigint) as value_renumbered_usd,
    coalesce(into_group.codes_unlinked, 0) as codes_unlinked,
    cast(coalesce(into_group.value_unlinked_usd, 0) as bigint) as value_unlinked_usd,
    cast(coalesce(definition_values.as_published_value_usd, 0) as bigint) as as_published_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.fixed_value_usd, 0) as bigint) end as fixed_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.as_published_value_usd, 0)
                  - coalesce(definition_values.fixed_value_usd, 0) as bigint) end as reclassification_effect_usd
from spine
cross join base_year_loaded
left join into_group
    on spine.year = into_group.year
    and spine.hitech_code = into_group.hitech_code
    and spine.partner_scope = into_group.partner_scope
left join out_of_group
    on spine.year = out_of_group.year
    and spine.hitech_code = out_of_group.hitech_code
    and spine.partner_scope = out_of_group.partner_scope
left join definition_values
    on spine.year = definition_values.year
    and spine.hitech_code = definition_values.hitech_code
    and spine.partner_scope = definition_values.partner_scope
