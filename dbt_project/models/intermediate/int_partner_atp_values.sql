-- A table: every partner mart reads it. Year-incremental (macros/year_incremental.sql).
{{ config(**year_incremental_config()) }}

-- The one place the partner / rest of world / world split is computed, for both trade flows: ATP
-- trade per flow x year x partner x definition x ATP group, with the partner, with the world
-- (every single country) and with the rest of the world (world - partner). Exports are f.a.s.
-- exports to the partner (country of destination); imports are general imports at customs value
-- from the partner (country of origin). A partner is a country or a partner group
-- (int_partner_members). Every partner of a year gets all ten groups (0 where it has no trade)
-- for each flow whose list of the year is loaded. Definitions: as_published, and fixed_<base
-- year> for a flow whose base-year list is loaded.

{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

trade_by_definition as (

    select * from {{ ref('int_trade_by_definition') }} where {{ only_refreshed_years() }}

),

members as (

    select * from {{ ref('int_partner_members') }} where {{ only_refreshed_years() }}

),

year_lists as (

    select * from {{ ref('int_hs10_year_lists') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

flow_years as (

    select distinct trade_flow, year from year_lists where {{ only_refreshed_years() }}

),

definitions as (

    select distinct trade_flow, 'as_published' as definition from year_lists
    union all
    select trade_flow, '{{ definition_fixed }}' as definition
    from year_lists
    where year = {{ var('atp_base_year') }}
    group by trade_flow

),

partners as (

    select distinct members.year, members.partner_code, members.partner_name, members.partner_kind
    from members
    inner join (select distinct year from flow_years) as years on members.year = years.year

),

country_values as (

    select trade_flow, year, cty_code, definition, hitech_code, sum(value_usd) as value_usd
    from trade_by_definition
    group by trade_flow, year, cty_code, definition, hitech_code

),

world_values as (

    select
        trade_flow,
        year,
        definition,
        hitech_code,
        sum(value_usd) as world_value_usd
    from country_values
    group by trade_flow, year, definition, hitech_code

),

partner_values as (

    select
        country_values.trade_flow,
        members.year,
        members.partner_code,
        country_values.definition,
        country_values.hitech_code,
        sum(country_values.value_usd) as partner_value_usd
    from members
    inner join country_values
        on members.year = country_values.year
        and members.cty_code = country_values.cty_code
    group by country_values.trade_flow, members.year, members.partner_code, country_values.definition,
        country_values.hitech_code

),

-- a year's shares use the whole year's world, so one synthetic row taints the flow's year
year_flags as (

    select trade_flow, year, {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from trade_by_definition
    group by trade_flow, year

),

spine as (

    select
        flow_years.trade_flow,
        partners.year,
        partners.partner_code,
        partners.partner_name,
        partners.partner_kind,
        definitions.definition,
        atp_groups.hitech_code,
        atp_groups.group_name
    from flow_years
    inner join partners on flow_years.year = partners.year
    inner join definitions on flow_years.trade_flow = definitions.trade_flow
    cross join atp_groups

),

final as (

    select
        spine.year,
        spine.trade_flow,
        spine.partner_code,
        spine.definition,
        spine.hitech_code,
        spine.partner_name,
        spine.partner_kind,
        spine.group_name,
        cast(coalesce(partner_values.partner_value_usd, 0) as {{ dbt.type_bigint() }}) as partner_value_usd,
        cast(
            coalesce(world_values.world_value_usd, 0) - coalesce(partner_values.partner_value_usd, 0)
            as {{ dbt.type_bigint() }}
        ) as rest_of_world_value_usd,
        cast(coalesce(world_values.world_value_usd, 0) as {{ dbt.type_bigint() }}) as world_value_usd,
        coalesce(year_flags.is_synthetic, false) as is_synthetic
    from spine
    left join partner_values
        on spine.trade_flow = partner_values.trade_flow
        and spine.year = partner_values.year
        and spine.partner_code = partner_values.partner_code
        and spine.definition = partner_values.definition
        and spine.hitech_code = partner_values.hitech_code
    left join world_values
        on spine.trade_flow = world_values.trade_flow
        and spine.year = world_values.year
        and spine.definition = world_values.definition
        and spine.hitech_code = world_values.hitech_code
    left join year_flags
        on spine.trade_flow = year_flags.trade_flow
        and spine.year = year_flags.year

)

select * from final
