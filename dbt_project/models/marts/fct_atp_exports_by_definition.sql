-- U.S. ATP exports by country under each definition: the exports of fct_atp_trade_by_definition
-- under the column names this mart has always had (export_value_usd, f.a.s.).
{{ config(materialized='view') }}

with

trade_by_definition as (

    select * from {{ ref('fct_atp_trade_by_definition') }}

)

select
    -- ids
    year,
    cty_code,
    hitech_code,
    definition,

    -- attributes
    cty_name,
    group_name,

    -- measures (whole USD, f.a.s.)
    value_usd as export_value_usd,

    -- flags
    is_synthetic
from trade_by_definition
where trade_flow = 'exports'
