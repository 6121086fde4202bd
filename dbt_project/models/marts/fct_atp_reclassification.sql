-- How much of each year's change in a group's ATP trade is reclassification, for every partner
-- and for the world, per flow (exports on the Schedule B lists, imports on the HTS import lists):
-- per flow x year x partner x ATP group, the codes added to, dropped from, moved into and out of
-- the group, renumbered and unlinkable (counts, the same for every partner), the trade value
-- each movement carries in that year with the partner and with the world, and as_published -
-- fixed.

{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}
{#- The movements of int_atp_code_movements, counted and valued per group, in column order: a
    movement into a group counts for the group the code moves to (into_group), one out of a group
    for the group it leaves (out_of_group); 'moved' counts both ways, as moved_in and moved_out. #}
{%- set movement_measures = [
    {'name': 'added', 'movement': 'added', 'side': 'into_group'},
    {'name': 'dropped', 'movement': 'dropped', 'side': 'out_of_group'},
    {'name': 'moved_in', 'movement': 'moved', 'side': 'into_group'},
    {'name': 'moved_out', 'movement': 'moved', 'side': 'out_of_group'},
    {'name': 'renumbered', 'movement': 'renumbered', 'side': 'into_group'},
    {'name': 'unlinked', 'movement': 'unlinked', 'side': 'into_group'},
] %}
{#- Each value is measured to the partner and to the world, under each additive definition. #}
{%- set scopes = {'partner': 'to the partner', 'world': 'to the world (every single country)'} %}
{%- set definitions = {'as_published': 'as_published', 'fixed': definition_fixed} %}

with

movements as (

    select * from {{ ref('int_atp_code_movements') }}

),

trade_by_code as (

    select * from {{ ref('int_trade_by_code') }}

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

    select distinct trade_flow, year from {{ ref('int_hs10_year_lists') }}

),

partners as (

    select distinct concordance_years.trade_flow, members.year, members.partner_code, members.partner_name,
        members.partner_kind
    from members
    inner join concordance_years on members.year = concordance_years.year

),

spine as (

    select partners.trade_flow, partners.year, partners.partner_code, partners.partner_name, partners.partner_kind,
        atp_groups.hitech_code, atp_groups.group_name
    from partners
    cross join atp_groups

),

-- the value of each moving code in its year, to each country (only codes that move)
moving_code_values as (

    select trade_by_code.trade_flow, trade_by_code.year, trade_by_code.hs10_code, trade_by_code.cty_code,
        trade_by_code.value_usd
    from trade_by_code
    where exists (
        select 1
        from movements
        where movements.trade_flow = trade_by_code.trade_flow
            and movements.year = trade_by_code.year
            and movements.hs10_code = trade_by_code.hs10_code
    )

),

world_code_values as (

    select trade_flow, year, hs10_code, sum(value_usd) as world_value_usd
    from moving_code_values
    group by trade_flow, year, hs10_code

),

partner_code_values as (

    select moving_code_values.trade_flow, members.year, members.partner_code, moving_code_values.hs10_code,
        sum(moving_code_values.value_usd) as partner_value_usd
    from members
    inner join moving_code_values
        on members.year = moving_code_values.year
        and members.cty_code = moving_code_values.cty_code
    group by moving_code_values.trade_flow, members.year, members.partner_code, moving_code_values.hs10_code

),

valued_movements as (

    select
        movements.trade_flow,
        movements.year,
        partners.partner_code,
        movements.hs10_code,
        movements.movement,
        movements.from_hitech_code,
        movements.to_hitech_code,
        coalesce(partner_code_values.partner_value_usd, 0) as partner_value_usd,
        coalesce(world_code_values.world_value_usd, 0) as world_value_usd
    from movements
    inner join partners
        on movements.trade_flow = partners.trade_flow
        and movements.year = partners.year
    left join partner_code_values
        on movements.trade_flow = partner_code_values.trade_flow
        and movements.year = partner_code_values.year
        and partners.partner_code = partner_code_values.partner_code
        and movements.hs10_code = partner_code_values.hs10_code
    left join world_code_values
        on movements.trade_flow = world_code_values.trade_flow
        and movements.year = world_code_values.year
        and movements.hs10_code = world_code_values.hs10_code

),

{#- One CTE per side: the movements into a group, by the group the code moves to (into_group),
    and out of a group, by the group the code leaves (out_of_group). #}
{%- for side, code_column in [('into_group', 'to_hitech_code'), ('out_of_group', 'from_hitech_code')] %}
{{ side }} as (

    select
        trade_flow,
        year,
        partner_code,
        {{ code_column }} as hitech_code,
        {%- for measure in movement_measures if measure.side == side %}
        {%- set measure_loop = loop %}
        count(case when movement = '{{ measure.movement }}' then 1 end) as codes_{{ measure.name }},
        {%- for scope in scopes %}
        sum(case when movement = '{{ measure.movement }}' then {{ scope }}_value_usd end)
            as {{ scope }}_value_{{ measure.name }}_usd{{ ',' if not (loop.last and measure_loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from valued_movements
    where movement in (
        {%- for measure in movement_measures if measure.side == side -%}
        '{{ measure.movement }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
    group by trade_flow, year, partner_code, {{ code_column }}

),
{% endfor %}
definition_values as (

    select
        trade_flow,
        year,
        partner_code,
        hitech_code,
        {%- for scope in scopes %}
        {%- set scope_loop = loop %}
        {%- for name, definition in definitions.items() %}
        sum(case when definition = '{{ definition }}' then {{ scope }}_value_usd end)
            as {{ scope }}_{{ name }}_value_usd{{ ',' if not (loop.last and scope_loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from partner_values
    group by trade_flow, year, partner_code, hitech_code

),

base_year_loaded as (

    select flows.trade_flow, count(concordance_years.year) > 0 as is_loaded
    from (select distinct trade_flow from concordance_years) as flows
    left join concordance_years
        on flows.trade_flow = concordance_years.trade_flow
        and concordance_years.year = {{ var('atp_base_year') }}
    group by flows.trade_flow

)

select
    -- ids
    spine.year,
    spine.trade_flow,
    spine.partner_code,
    spine.hitech_code,

    -- attributes
    spine.partner_name,
    spine.partner_kind,
    spine.group_name,
    '{{ definition_fixed }}' as fixed_definition,

    -- measures: code counts (the same for every partner)
    {%- for measure in movement_measures %}
    coalesce({{ measure.side }}.codes_{{ measure.name }}, 0) as codes_{{ measure.name }},
    {%- endfor %}
    {%- for scope in scopes %}

    -- measures: trade value of the flow in the year {{ scopes[scope] }}, whole USD
    {%- for measure in movement_measures %}
    cast(coalesce({{ measure.side }}.{{ scope }}_value_{{ measure.name }}_usd, 0) as {{ dbt.type_bigint() }})
        as {{ scope }}_value_{{ measure.name }}_usd,
    {%- endfor %}
    cast(coalesce(definition_values.{{ scope }}_as_published_value_usd, 0) as {{ dbt.type_bigint() }})
        as {{ scope }}_as_published_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.{{ scope }}_fixed_value_usd, 0) as {{ dbt.type_bigint() }})
    end as {{ scope }}_fixed_value_usd,
    case when base_year_loaded.is_loaded
        then cast(coalesce(definition_values.{{ scope }}_as_published_value_usd, 0)
                  - coalesce(definition_values.{{ scope }}_fixed_value_usd, 0) as {{ dbt.type_bigint() }})
    end as {{ scope }}_reclassification_effect_usd{{ ',' if not loop.last }}
    {%- endfor %}
from spine
inner join base_year_loaded on spine.trade_flow = base_year_loaded.trade_flow
left join into_group
    on spine.trade_flow = into_group.trade_flow
    and spine.year = into_group.year
    and spine.partner_code = into_group.partner_code
    and spine.hitech_code = into_group.hitech_code
left join out_of_group
    on spine.trade_flow = out_of_group.trade_flow
    and spine.year = out_of_group.year
    and spine.partner_code = out_of_group.partner_code
    and spine.hitech_code = out_of_group.hitech_code
left join definition_values
    on spine.trade_flow = definition_values.trade_flow
    and spine.year = definition_values.year
    and spine.partner_code = definition_values.partner_code
    and spine.hitech_code = definition_values.hitech_code
