-- Specialization of U.S. ATP trade with each partner versus the rest of the world, per flow
-- (exports to the partner; imports from it): composition shares of the partner's and of the rest
-- of the world's ATP trade of the flow, and their gap.

{{ config(**year_incremental_config()) }}

with

partner_values as (

    select * from {{ ref('int_partner_atp_values') }} where {{ only_refreshed_years() }}

),

shares as (

    select
        *,
        cast(partner_value_usd as {{ dbt.type_float() }})
            / nullif(sum(partner_value_usd) over partner_total, 0) as partner_composition_share,
        cast(rest_of_world_value_usd as {{ dbt.type_float() }})
            / nullif(sum(rest_of_world_value_usd) over partner_total, 0) as rest_of_world_composition_share
    from partner_values
    window partner_total as (partition by trade_flow, year, partner_code, definition)

)

select
    -- ids
    year,
    trade_flow,
    partner_code,
    definition,
    hitech_code,

    -- attributes
    partner_name,
    partner_kind,
    group_name,

    -- measures (whole USD; shares are fractions 0-1; gap in percentage points)
    partner_value_usd,
    rest_of_world_value_usd,
    world_value_usd,
    partner_composition_share,
    rest_of_world_composition_share,
    (partner_composition_share - rest_of_world_composition_share) * 100 as gap_pp,

    -- flags
    is_synthetic
from shares
