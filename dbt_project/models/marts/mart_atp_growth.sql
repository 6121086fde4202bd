-- Growth of ATP exports under each definition, for the focus partner (China by default), the
-- rest of the world and the world, by ATP group and for all groups together ('all'):
--   as_published  each year classified by its own list;
--   fixed_<base>  every year classified by the base year's list (code families);
--   chain_linked  year-over-year growth on code families that are ATP in the same group in
--                 both adjacent years, chained into an index (first loaded year = 100) and
--                 expressed as a value at the first year's as-published level.

{%- set focus_partner_code = var('focus_partner_code') %}
{%- set definition_fixed = 'fixed_' ~ var('atp_base_year') %}

with

by_definition as (

    select * from {{ ref('fct_atp_exports_by_definition') }}

),

exports_by_code as (

    select * from {{ ref('int_exports_by_code') }}

),

classifications as (

    select * from {{ ref('int_hs10_code_classifications') }}

),

atp_groups as (

    select * from {{ ref('atp_groups') }}

),

group_names as (

    select hitech_code, group_name from atp_groups
    union all
    select 'all' as hitech_code, 'All ATP groups' as group_name

),

years as (

    select distinct year from classifications

),

definitions as (

    select 'as_published' as definition
    union all
    select '{{ definition_fixed }}' as definition

),

additive_by_group as (

    select
        years.year,
        definitions.definition,
        atp_groups.hitech_code,
        coalesce(sum(by_definition.export_value_usd)
            filter (where by_definition.cty_code = '{{ focus_partner_code }}'), 0) as china_value_usd,
        coalesce(sum(by_definition.export_value_usd), 0) as world_value_usd
    from years
    cross join definitions
    cross join atp_groups
    left join by_definition
        on years.year = by_definition.year
        and definitions.definition = by_definition.definition
        and atp_groups.hitech_code = by_definition.hitech_code
    group by years.year, definitions.definition, atp_groups.hitech_code

),

additive as (

    select * from additive_by_group
    union all
    select year, definition, 'all' as hitech_code, sum(china_value_usd), sum(world_value_usd)
    from additive_by_group
    group by year, definition

),

family_years as (

    -- a family's group in a year: the one ATP group of its listed codes; '00' if none is ATP;
    -- null if its ATP codes sit in several groups (then it cannot be matched)
    select
        year,
        family_code,
        case
            when count(distinct published_hitech_code) filter (where published_hitech_code <> '00') = 1
                then min(published_hitech_code) filter (where published_hitech_code <> '00')
            when count(*) filter (where published_hitech_code <> '00') = 0 then '00'
        end as family_hitech_code
    from classifications
    group by year, family_code

),

family_values as (

    select
        exports_by_code.year,
        classifications.family_code,
        sum(exports_by_code.export_value_usd)
            filter (where exports_by_code.cty_code = '{{ focus_partner_code }}') as china_value_usd,
        sum(exports_by_code.export_value_usd) as world_value_usd
    from exports_by_code
    inner join classifications
        on exports_by_code.year = classifications.year
        and exports_by_code.hs10_code = classifications.hs10_code
    where classifications.published_hitech_code <> '00'
    group by exports_by_code.year, classifications.family_code

),

matched_families as (

    select
        current_families.year,
        current_families.family_code,
        current_families.family_hitech_code as hitech_code
    from family_years as current_families
    inner join family_years as previous_families
        on previous_families.year = current_families.year - 1
        and previous_families.family_code = current_families.family_code
    where current_families.family_hitech_code <> '00'
        and current_families.family_hitech_code = previous_families.family_hitech_code

),

matched_by_group as (

    select
        matched_families.year,
        matched_families.hitech_code,
        coalesce(sum(current_values.china_value_usd), 0) as china_now_usd,
        coalesce(sum(previous_values.china_value_usd), 0) as china_previous_usd,
        coalesce(sum(current_values.world_value_usd), 0) as world_now_usd,
        coalesce(sum(previous_values.world_value_usd), 0) as world_previous_usd
    from matched_families
    left join family_values as current_values
        on current_values.year = matched_families.year
        and current_values.family_code = matched_families.family_code
    left join family_values as previous_values
        on previous_values.year = matched_families.year - 1
        and previous_values.family_code = matched_families.family_code
    group by matched_families.year, matched_families.hitech_code

),

matched as (

    select * from matched_by_group
    union all
    select year, 'all' as hitech_code, sum(china_now_usd), sum(china_previous_usd), sum(world_now_usd),
        sum(world_previous_usd)
    from matched_by_group
    group by year

),

scoped_additive as (

    select year, definition, hitech_code, 'china' as partner_scope, china_value_usd as value_usd from additive
    union all
    select year, definition, hitech_code, 'world' as partner_scope, world_value_usd as value_usd from additive
    union all
    select year, definition, hitech_code, 'rest_of_world' as partner_scope, world_value_usd - china_value_usd
    from additive

),

scoped_matched as (

    select year, hitech_code, 'china' as partner_scope, china_now_usd as now_usd,
        china_previous_usd as previous_usd from matched
    union all
    select year, hitech_code, 'world' as partner_scope, world_now_usd, world_previous_usd from matched
    union all
    select year, hitech_code, 'rest_of_world' as partner_scope, world_now_usd - china_now_usd,
        world_previous_usd - china_previous_usd from matched

),

additive_growth as (

    select
        *,
        case when lag(year) over scope_window = year - 1
            then cast(value_usd as double) / nullif(lag(value_usd) over scope_window, 0) - 1
        end as yoy_growth
    from scoped_additive
    window scope_window as (partition by partner_scope, definition, hitech_code order by year)

),

chain_growth as (

    select
        scoped_additive.year,
        scoped_additive.hitech_code,
        scoped_additive.partner_scope,
        scoped_additive.value_usd as published_value_usd,
        cast(scoped_matched.now_usd as double) / nullif(scoped_matched.previous_usd, 0) - 1 as yoy_growth,
        min(scoped_additive.year) over (partition by scoped_additive.partner_scope, scoped_additive.hitech_code)
            as first_year
    from scoped_additive
    left join scoped_matched
        on scoped_additive.year = scoped_matched.year
        and scoped_additive.hitech_code = scoped_matched.hitech_code
        and scoped_additive.partner_scope = scoped_matched.partner_scope
    where scoped_additive.definition = 'as_published'

),

chain_steps as (

    select
        *,
        case
            when year = first_year then 0
            when 1 + yoy_growth > 0 then ln(1 + yoy_growth)
        end as log_step
    from chain_growth

),

chain_index as (

    -- 100 in the first year; a year whose growth cannot be computed (no matched value the
    -- year before, or a fall to zero) breaks the chain: the index is empty from there on
    select
        *,
        case when bool_and(log_step is not null) over running
            then 100 * exp(sum(log_step) over running) end as index_first_year_100,
        first_value(published_value_usd) over running as first_year_value_usd
    from chain_steps
    window running as (partition by partner_scope, hitech_code order by year
                       rows between unbounded preceding and current row)

),

unioned as (

    select
        year, partner_scope, definition, hitech_code, value_usd, yoy_growth,
        100 * cast(value_usd as double) / nullif(first_value(value_usd) over (
            partition by partner_scope, definition, hitech_code order by year), 0) as index_first_year_100
    from additive_growth
    union all
    select
        year, partner_scope, 'chain_linked' as definition, hitech_code,
        cast(round(first_year_value_usd * index_first_year_100 / 100) as bigint) as value_usd,
        case when year = first_year then null else yoy_growth end,
        index_first_year_100
    from chain_index

)

select
    -- ids
    unioned.year,
    unioned.partner_scope,
    unioned.definition,
    unioned.hitech_code,

    -- attributes
    group_names.group_name,

    -- measures: USD (chain_linked at the first year's as-published level), growth as a fraction
    cast(unioned.value_usd as bigint) as value_usd,
    unioned.yoy_growth,
    unioned.index_first_year_100
from unioned
left join group_names on unioned.hitech_code = group_names.hitech_code
