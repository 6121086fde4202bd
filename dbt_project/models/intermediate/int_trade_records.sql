-- Both trade flows' history records in one shape, one row per source record: exports (EM545 /
-- EA645 records or Census API exports/hs rows; f.a.s. value, DF '1' domestic, '2' foreign, '3'
-- non-contiguous shipment) and imports (IM145 / IA245 records or Census API imports/hs rows;
-- general imports at customs value, with the value of imports for consumption beside it). The
-- partner country is the country of destination for exports and the country of origin for
-- imports.

with

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

import_history as (

    select * from {{ ref('stg_census__import_history') }}

)

select
    trade_flow,
    year,
    hs10_code,
    cty_code,
    stat_month,
    df_code,
    value_usd,
    cast(null as {{ dbt.type_bigint() }}) as consumption_value_usd,
    source_file,
    source_record,
    is_synthetic
from export_history

union all

select
    trade_flow,
    year,
    hs10_code,
    cty_code,
    stat_month,
    cast(null as {{ dbt.type_string() }}) as df_code,
    value_usd,
    consumption_value_usd,
    source_file,
    source_record,
    is_synthetic
from import_history
