-- The products behind each specialization gap, per flow: every ATP code's trade with the partner
-- and with the rest of the world (exports to; imports from), its share of its group on each side, and its contribution to the
-- group's gap in percentage points,
--   contribution_pp = (partner value / partner ATP total - rest-of-world value / rest-of-world
--                      ATP total) x 100,
-- so the contributions of a group's codes sum to the group's gap_pp in fct_specialization_gaps.
-- One row per flow x year x partner x definition x ATP group x HS10 code with trade with the world.

{{ config(**year_incremental_config()) }}

with

trade_by_definition as (

    select * from {{ ref('int_trade_by_definition') }} where {{ only_refreshed_years() }}

),

members as (

    select * from {{ ref('int_partner_members') }} where {{ only_refreshed_years() }}

),

partner_values as (

    select * from {{ ref('int_partner_atp_values') }} where {{ only_refreshed_years() }}

),

year_lists as (

    select * from {{ ref('int_hs10_year_lists') }} where {{ only_refreshed_years() }}

),

world_code_values as (

    select trade_flow, year, definition, hitech_code, hs10_code, sum(value_usd) as world_value_usd
    from trade_by_definition
    group by trade_flow, year, definition, hitech_code, hs10_code

),

partner_code_values as (

    select
        trade_by_definition.trade_flow,
        members.year,
        members.partner_code,
        trade_by_definition.definition,
        trade_by_definition.hs10_code,
        sum(trade_by_definition.value_usd) as partner_value_usd
    from members
    inner join trade_by_definition
        on members.year = trade_by_definition.year
        and members.cty_code = trade_by_definition.cty_code
    group by trade_by_definition.trade_flow, members.year, members.partner_code, trade_by_definition.definition,
        trade_by_definition.hs10_code

),

group_totals as (

    select
        *,
        sum(partner_value_usd) over partner_total as partner_atp_value_usd,
        sum(rest_of_world_value_usd) over partner_total as rest_of_world_atp_value_usd
    from partner_values
    window partner_total as (partition by trade_flow, year, partner_code, definition)

),

code_rows as (

    select
        group_totals.trade_flow,
        group_totals.year,
        group_totals.partner_code,
        group_totals.definition,
        group_totals.hitech_code,
        world_code_values.hs10_code,
        group_totals.partner_name,
        group_totals.partner_kind,
        group_totals.group_name,
        coalesce(partner_code_values.partner_value_usd, 0) as partner_value_usd,
        world_code_values.world_value_usd - coalesce(partner_code_values.partner_value_usd, 0)
            as rest_of_world_value_usd,
        group_totals.partner_value_usd as partner_group_value_usd,
        group_totals.rest_of_world_value_usd as rest_of_world_group_value_usd,
        group_totals.partner_atp_value_usd,
        group_totals.rest_of_world_atp_value_usd,
        group_totals.is_synthetic
    from group_totals
    inner join world_code_values
        on group_totals.trade_flow = world_code_values.trade_flow
        and group_totals.year = world_code_values.year
        and group_totals.definition = world_code_values.definition
        and group_totals.hitech_code = world_code_values.hitech_code
    left join partner_code_values
        on group_totals.trade_flow = partner_code_values.trade_flow
        and group_totals.year = partner_code_values.year
        and group_totals.partner_code = partner_code_values.partner_code
        and group_totals.definition = partner_code_values.definition
        and world_code_values.hs10_code = partner_code_values.hs10_code

),

shares as (

    select
        *,
        cast(partner_value_usd as {{ dbt.type_float() }}) / nullif(partner_atp_value_usd, 0)
            as partner_composition_share,
        cast(rest_of_world_value_usd as {{ dbt.type_float() }}) / nullif(rest_of_world_atp_value_usd, 0)
            as rest_of_world_composition_share
    from code_rows

)

select
    -- ids
    shares.year,
    shares.trade_flow,
    shares.partner_code,
    shares.definition,
    shares.hitech_code,
    shares.hs10_code,

    -- attributes
    shares.partner_name,
    shares.partner_kind,
    shares.group_name,
    year_lists.description as hs10_description,

    -- measures (whole USD; shares are fractions 0-1; contribution in percentage points)
    cast(shares.partner_value_usd as {{ dbt.type_bigint() }}) as partner_value_usd,
    cast(shares.rest_of_world_value_usd as {{ dbt.type_bigint() }}) as rest_of_world_value_usd,
    cast(shares.partner_value_usd as {{ dbt.type_float() }}) / nullif(shares.partner_group_value_usd, 0)
        as partner_group_share,
    cast(shares.rest_of_world_value_usd as {{ dbt.type_float() }}) / nullif(shares.rest_of_world_group_value_usd, 0)
        as rest_of_world_group_share,
    shares.partner_composition_share,
    shares.rest_of_world_composition_share,
    (shares.partner_composition_share - shares.rest_of_world_composition_share) * 100 as contribution_pp,

    -- flags
    shares.is_synthetic
from shares
left join year_lists
    on shares.trade_flow = year_lists.trade_flow
    and shares.year = year_lists.year
    and shares.hs10_code = year_lists.hs10_code
