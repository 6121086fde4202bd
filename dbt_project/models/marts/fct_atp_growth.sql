-- Growth of U.S. ATP trade with every partner, its rest of world and the world, per flow
-- (exports f.a.s.; general imports at customs value), under each definition, by ATP group and
-- for all groups together ('all'):
--   as_published  each year classified by its own list;
--   fixed_<base>  every year classified by the base year's list (code families);
--   chain_linked  year-over-year growth on matched code families, chained (int_atp_chain_linked).

with

partner_values as (

    select * from {{ ref('int_partner_atp_values') }}

),

chain_linked as (

    select * from {{ ref('int_atp_chain_linked') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

partners as (

    select distinct year, partner_code, partner_name, partner_kind from partner_values

),

group_names as (

    select hitech_code, group_name from atp_groups
    union all
    select 'all' as hitech_code, 'All ATP groups' as group_name

),

additive_by_group as (

    select trade_flow, year, partner_code, definition, hitech_code, partner_value_usd, rest_of_world_value_usd,
        world_value_usd
    from partner_values

),

additive as (

    select * from additive_by_group
    union all
    select trade_flow, year, partner_code, definition, 'all' as hitech_code, sum(partner_value_usd),
        sum(rest_of_world_value_usd), sum(world_value_usd)
    from additive_by_group
    group by trade_flow, year, partner_code, definition

),

scoped_additive as (

    select trade_flow, year, partner_code, definition, hitech_code, 'partner' as partner_scope,
        partner_value_usd as value_usd
    from additive
    union all
    select trade_flow, year, partner_code, definition, hitech_code, 'rest_of_world', rest_of_world_value_usd
    from additive
    union all
    select trade_flow, year, partner_code, definition, hitech_code, 'world', world_value_usd from additive

),

additive_growth as (

    select
        trade_flow,
        year,
        partner_code,
        partner_scope,
        definition,
        hitech_code,
        value_usd,
        case when lag(year) over scope_window = year - 1
            then cast(value_usd as {{ dbt.type_float() }}) / nullif(lag(value_usd) over scope_window, 0) - 1
        end as yoy_growth,
        100 * cast(value_usd as {{ dbt.type_float() }}) / nullif(first_value(value_usd) over scope_window, 0)
            as index_first_year_100
    from scoped_additive
    window scope_window as (partition by trade_flow, partner_code, partner_scope, definition, hitech_code order by year)

),

unioned as (

    select * from additive_growth
    union all
    select trade_flow, year, partner_code, partner_scope, 'chain_linked' as definition, hitech_code, value_usd,
        yoy_growth, index_first_year_100
    from chain_linked

),

wide as (

    select
        trade_flow,
        year,
        partner_code,
        definition,
        hitech_code,
        {%- for scope in ['partner', 'rest_of_world', 'world'] %}
        {%- set scope_loop = loop %}
        {%- for measure in ['value_usd', 'yoy_growth', 'index_first_year_100'] %}
        max(case when partner_scope = '{{ scope }}' then {{ measure }} end) as {{ scope }}_{{ measure }}
            {{- ',' if not (loop.last and scope_loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from unioned
    group by trade_flow, year, partner_code, definition, hitech_code

)

select
    -- ids
    wide.year,
    wide.trade_flow,
    wide.partner_code,
    wide.definition,
    wide.hitech_code,

    -- attributes
    partners.partner_name,
    partners.partner_kind,
    group_names.group_name,

    -- measures: USD (chain_linked at the first year's as-published level), growth as a fraction,
    -- index with the partner's first year = 100
    cast(wide.partner_value_usd as {{ dbt.type_bigint() }}) as partner_value_usd,
    wide.partner_yoy_growth,
    wide.partner_index_first_year_100,
    cast(wide.rest_of_world_value_usd as {{ dbt.type_bigint() }}) as rest_of_world_value_usd,
    wide.rest_of_world_yoy_growth,
    wide.rest_of_world_index_first_year_100,
    cast(wide.world_value_usd as {{ dbt.type_bigint() }}) as world_value_usd,
    wide.world_yoy_growth,
    wide.world_index_first_year_100
from wide
inner join partners
    on wide.year = partners.year
    and wide.partner_code = partners.partner_code
left join group_names on wide.hitech_code = group_names.hitech_code
