-- How much of each year's change in a group's ATP exports is reclassification, for every
-- partner and for the world: per year x partner x ATP group, the codes added to, dropped from,
-- moved into and out of the group, renumbered and unlinkable (counts, the same for every
-- partner), the export value each movement carries in that year to the partner and to the
-- world, and as_published - fixed.

{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

movements as (

    select * from {{ ref('int_atp_code_movements') }}

),

exports_by_code as (

    select * from {{ ref('int_exports_by_code') }}

),

members as (

    select * from {{ ref('int_partner_members') }}

),

partner_values as (

    select * from {{ ref('int_partner_atp_values') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

concordance_years as (

    select distinct year from {{ ref('int_hs10_year_lists') }}

),

partners as (

    select distinct members.year, members.partner_code, members.partner_name, members.partner_kind
    from members
    inner join concordance_years on members.year = concordance_years.year

),

spine as (

    select partners.year, partners.partner_code, partners.partner_name, partners.partner_kind,
        atp_groups.hitech_code, atp_groups.group_name
    from partners
    cross join atp_groups

),

-- the value of each moving code in its year, to each country (only codes that move)
moving_code_values as (

    select exports_by_code.year, exports_by_code.hs10_code, exports_by_code.cty_code,
        exports_by_code.export_value_usd
    from exports_by_code
    semi join (select distinct year, hs10_code from movements) as moving
        on exports_by_code.year = moving.year
        and exports_by_code.hs10_code = moving.hs10_code

),

world_code_values as (

    select year, hs10_code, sum(export_value_usd) as world_value_usd
    from moving_code_values
    group by year, hs10_code

),

partner_code_values as (

    select members.year, members.partner_code, moving_code_values.hs10_code,
        sum(moving_code_values.export_value_usd) as partner_value_usd
    from members
    inner join moving_code_values
        on members.year = moving_code_values.year
        and members.cty_code = moving_code_values.cty_code
    group by members.year, members.partner_code, moving_code_values.hs10_code

),

valued_movements as (

    select
        movements.year,
        partners.partner_code,
        movements.hs10_code,
        movements.movement,
        movements.from_hitech_code,
        movements.to_hitech_code,
        coalesce(partner_code_values.partner_value_usd, 0) as partner_value_usd,
        coalesce(world_code_values.world_value_usd, 0) as world_value_usd
    from movements
    inner join partners on movements.year = partners.year
    left join partner_code_values
        on movements.year = partner_code_values.year
        and partners.partner_code = partner_code_values.partner_code
        and movements.hs10_code = partner_code_values.hs10_code
    left join world_code_values
        on movements.year = world_code_values.year
        and movements.hs10_code = world_code_values.hs10_code

),

into_group as (

    select
        year,
        partner_code,
        to_hitech_code as hitech_code,
        count(*) filter (where movement = 'added') as codes_added,
        sum(partner_value_usd) filter (where movement = 'added') as partner_value_added_usd,
        sum(world_value_usd) filter (where movement = 'added') as world_value_added_usd,
        count(*) filter (where movement = 'moved') as codes_moved_in,
        sum(partner_value_usd) filter (where movement = 'moved') as partner_value_moved_in_usd,
        sum(world_value_usd) filter (where movement = 'moved') as world_value_moved_in_usd,
        count(*) filter (where movement = 'renumbered') as codes_renumbered,
        sum(partner_value_usd) filter (where movement = 'renumbered') as partner_value_renumbered_usd,
        sum(world_value_usd) filter (where movement = 'renumbered') as world_value_renumbered_usd,
        count(*) filter (where movement = 'unlinked') as codes_unlinked,
        sum(partner_value_usd) filter (where movement = 'unlinked') as partner_value_unlinked_usd,
        sum(world_value_usd) filter (where movement = 'unlinked') as world_value_unlinked_usd
    from valued_movements
    where movement in ('added', 'moved', 'renumbered', 'unlinked')
    group by year, partner_code, to_hitech_code

),

out_of_group as (

    select
        year,
        partner_code,
        from_hitech_code as hitech_code,
        count(*) filter (where movement = 'dropped') as codes_dropped,
        sum(partner_value_usd) filter (where movement = 'dropped') as partner_value_dropped_usd,
        sum(world_value_usd) filter (where movement = 'dropped') as world_value_dropped_usd,
        count(*) filter (where movement = 'moved') as codes_moved_out,
        sum(partner_value_usd) filter (where movement = 'moved') as partner_value_moved_out_usd,
        sum(world_value_usd) filter (where movement = 'moved') as world_value_moved_out_usd
    from valued_movements
    where movement in ('dropped', 'moved')
    group by year, partner_code, from_hitech_code

),

definition_values as (

    select
        year,
        partner_code,
        hitech_code,
        sum(partner_value_usd) filter (where definition = 'as_published') as partner_as_published_value_usd,
        sum(partner_value_usd) filter (where definition = '{{ definition_fixed }}') as partner_fixed_value_usd,
        sum(world_value_usd) filter (where definition = 'as_published') as world_as_published_value_usd,
        sum(world_value_usd) filter (where definition = '{{ definition_fixed }}') as world_fixed_value_usd
    from partner_values
    group by year, partner_code, hitech_code

),

base_year_loaded as (

    select count(*) > 0 as is_loaded from concordance_years where year = {{ var('atp_base_year') }}

)

select
    -- ids
    spine.year,
    spine.partner_code,
    spine.hitech_code,

    -- attributes
    spine.partner_name,
    spine.partner_kind,
    spine.group_name,
    '{{ definition_fixed }}' as fixed_definition,

    -- measures: code counts (the same for every partner)
    coalesce(into_group.codes_added, 0) as codes_added,
    coalesce(out_of_group.codes_dropped, 0) as codes_dropped,
    coalesce(into_group.codes_moved_in, 0) as codes_moved_in,
    coalesce(out_of_group.codes_moved_out, 0) as codes_moved_out,
    coalesce(into_group.codes_renumbered, 0) as codes_renumbered,
    coalesce(into_group.codes_unlinked, 0) as codes_unlinked,

    -- measures: export value in the year to the partner, whole USD
    cast(coalesce(into_group.partner_value_added_usd, 0) as bigint) as partner_value_added_usd,
    cast(coalesce(out_of_group.partner_value_dropped_usd, 0) as bigint) as partner_value_dropped_usd,
    cast(coalesce(into_group.partner_value_moved_in_usd, 0) as bigint) as partner_value_moved_in_usd,
    cast(coalesce(out_of_group.partner_value_moved_out_usd, 0) as bigint) as partner_value_moved_out_usd,
    cast(coalesce(into_group.partner_value_renumbered_usd, 0) as bigint) as partner_value_renumbered_usd,
    cast(coalesce(into_group.partner_value_unlinked_usd, 0) as bigint) as partner_value_unlinked_usd,
    cast(coalesce(definition_values.partner_as_published_value_usd, 0) as bigint) as partner_as_published_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.partner_fixed_value_usd, 0) as bigint) end as partner_fixed_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.partner_as_published_value_usd, 0)
                  - coalesce(definition_values.partner_fixed_value_usd, 0) as bigint)
    end as partner_reclassification_effect_usd,

    -- measures: the same to the world (every single country), whole USD
    cast(coalesce(into_group.world_value_added_usd, 0) as bigint) as world_value_added_usd,
    cast(coalesce(out_of_group.world_value_dropped_usd, 0) as bigint) as world_value_dropped_usd,
    cast(coalesce(into_group.world_value_moved_in_usd, 0) as bigint) as world_value_moved_in_usd,
    cast(coalesce(out_of_group.world_value_moved_out_usd, 0) as bigint) as world_value_moved_out_usd,
    cast(coalesce(into_group.world_value_renumbered_usd, 0) as bigint) as world_value_renumbered_usd,
    cast(coalesce(into_group.world_value_unlinked_usd, 0) as bigint) as world_value_unlinked_usd,
    cast(coalesce(definition_values.world_as_published_value_usd, 0) as bigint) as world_as_published_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.world_fixed_value_usd, 0) as bigint) end as world_fixed_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.world_as_published_value_usd, 0)
                  - coalesce(definition_values.world_fixed_value_usd, 0) as bigint)
    end as world_reclassification_effect_usd
from spine
cross join base_year_loaded
left join into_group
    on spine.year = into_group.year
    and spine.partner_code = into_group.partner_code
    and spine.hitech_code = into_group.hitech_code
left join out_of_group
    on spine.year = out_of_group.year
    and spine.partner_code = out_of_group.partner_code
    and spine.hitech_code = out_of_group.hitech_code
left join definition_values
    on spine.year = definition_values.year
    and spine.partner_code = definition_values.partner_code
    and spine.hitech_code = definition_values.hitech_code
