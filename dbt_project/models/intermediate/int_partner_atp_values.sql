-- A table: every partner mart reads it.
{{ config(materialized='table') }}

-- The one place the partner / rest of world / world split is computed: ATP exports per year x
-- partner x definition x ATP group, to the partner, to the world (every single country) and to
-- the rest of the world (world - partner). A partner is a country or a partner group
-- (int_partner_members). Every partner of a year gets all ten groups (0 where it has no
-- exports). Definitions: as_published, and fixed_<base year> when the base year's list is loaded.

{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

exports_by_definition as (

    select * from {{ ref('int_exports_by_definition') }}

),

members as (

    select * from {{ ref('int_partner_members') }}

),

year_lists as (

    select * from {{ ref('int_hs10_year_lists') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

years as (

    select distinct year from year_lists

),

definitions as (

    select 'as_published' as definition
    union all
    select '{{ definition_fixed }}' as definition
    from year_lists
    where year = {{ var('atp_base_year') }}
    group by year

),

partners as (

    select distinct members.year, members.partner_code, members.partner_name, members.partner_kind
    from members
    inner join years on members.year = years.year

),

country_values as (

    select year, cty_code, definition, hitech_code, sum(export_value_usd) as value_usd
    from exports_by_definition
    group by year, cty_code, definition, hitech_code

),

world_values as (

    select
        year,
        definition,
        hitech_code,
        sum(value_usd) as world_value_usd
    from country_values
    group by year, definition, hitech_code

),

partner_values as (

    select
        members.year,
        members.partner_code,
        country_values.definition,
        country_values.hitech_code,
        sum(country_values.value_usd) as partner_value_usd
    from members
    inner join country_values
        on members.year = country_values.year
        and members.cty_code = country_values.cty_code
    group by members.year, members.partner_code, country_values.definition, country_values.hitech_code

),

-- a year's shares use the whole year's world, so one synthetic row taints the year
year_flags as (

    select year, {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from exports_by_definition
    group by year

),

spine as (

    select
        partners.year,
        partners.partner_code,
        partners.partner_name,
        partners.partner_kind,
        definitions.definition,
        atp_groups.hitech_code,
        atp_groups.group_name
    from partners
    cross join definitions
    cross join atp_groups

),

final as (

    select
        spine.year,
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
        on spine.year = partner_values.year
        and spine.partner_code = partner_values.partner_code
        and spine.definition = partner_values.definition
        and spine.hitech_code = partner_values.hitech_code
    left join world_values
        on spine.year = world_values.year
        and spine.definition = world_values.definition
        and spine.hitech_code = world_values.hitech_code
    left join year_flags on spine.year = year_flags.year

)

select * from final
