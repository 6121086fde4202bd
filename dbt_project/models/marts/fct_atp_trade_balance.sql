-- The U.S. ATP trade balance with every partner, its rest of world and the world: exports
-- (f.a.s., to the country of destination) minus imports (general imports at customs value, from
-- the country of origin), whole USD. One row per year x partner x definition (as_published,
-- fixed_<base year>) x ATP group, and for all groups together ('all'), for the years and
-- definitions both flows have (a year whose import files are not loaded has no balance).

{{ config(**year_incremental_config()) }}

with

partner_values as (

    select * from {{ ref('int_partner_atp_values') }} where {{ only_refreshed_years() }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

group_names as (

    select hitech_code, group_name from atp_groups
    union all
    select 'all' as hitech_code, 'All ATP groups' as group_name

),

by_group as (

    select
        trade_flow, year, partner_code, definition, hitech_code, partner_name, partner_kind,
        partner_value_usd, rest_of_world_value_usd, world_value_usd, is_synthetic
    from partner_values

),

with_all as (

    select * from by_group
    union all
    select
        trade_flow, year, partner_code, definition, 'all' as hitech_code, partner_name, partner_kind,
        sum(partner_value_usd), sum(rest_of_world_value_usd), sum(world_value_usd),
        {{ dbt.bool_or('is_synthetic') }}
    from by_group
    group by trade_flow, year, partner_code, definition, partner_name, partner_kind

),

exports as (

    select * from with_all where trade_flow = 'exports'

),

imports as (

    select * from with_all where trade_flow = 'imports'

)

select
    -- ids
    exports.year,
    exports.partner_code,
    exports.definition,
    exports.hitech_code,

    -- attributes
    exports.partner_name,
    exports.partner_kind,
    group_names.group_name,

    -- measures (whole USD; balance = exports - imports)
    {%- for scope in ['partner', 'rest_of_world', 'world'] %}
    cast(exports.{{ scope }}_value_usd as {{ dbt.type_bigint() }}) as {{ scope }}_exports_usd,
    cast(imports.{{ scope }}_value_usd as {{ dbt.type_bigint() }}) as {{ scope }}_imports_usd,
    cast(exports.{{ scope }}_value_usd - imports.{{ scope }}_value_usd as {{ dbt.type_bigint() }})
        as {{ scope }}_balance_usd,
    {%- endfor %}

    -- flags
    exports.is_synthetic or imports.is_synthetic as is_synthetic
from exports
inner join imports
    on exports.year = imports.year
    and exports.partner_code = imports.partner_code
    and exports.definition = imports.definition
    and exports.hitech_code = imports.hitech_code
left join group_names on exports.hitech_code = group_names.hitech_code
