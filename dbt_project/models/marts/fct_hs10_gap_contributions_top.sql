-- The top codes behind each gap: the var('top_hs10_codes') codes of each flow x year x partner x
-- definition x ATP group with the largest contributions to the group's gap in absolute value
-- (rank 1 = largest; ties broken by HS10 code).
{{ config(materialized='view') }}

with

contributions as (

    select * from {{ ref('fct_hs10_gap_contributions') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by trade_flow, year, partner_code, definition, hitech_code
            order by abs(contribution_pp) desc nulls last, hs10_code
        ) as contribution_rank
    from contributions

)

select * from ranked
where contribution_rank <= {{ var('top_hs10_codes') }}
