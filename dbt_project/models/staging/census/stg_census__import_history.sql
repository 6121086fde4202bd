-- The import history (IM145/IA245 records, or Census API imports/hs rows), one row per source
-- record. ATP imports are GENERAL imports at customs value (gen_value_usd), the basis of the
-- published ATP imports (country table code 0007, IYR); the partner is the country of origin.

with

source as (

    select * from {{ source('census', 'import_history') }}

),

renamed as (

    select
        -- ids
        'imports' as trade_flow,
        source_file,
        source_record,
        year,
        hs10_code,
        cty_code,
        cty_subcode,
        district_entry_code,
        district_unlading_code,
        rate_provision_code,

        -- measures (whole USD, Census quantity units)
        gen_value_usd as value_usd,
        gen_cif_usd as general_cif_value_usd,
        gen_charges_usd as general_charges_usd,
        gen_qty1 as general_quantity_1,
        gen_qty2 as general_quantity_2,
        con_value_usd as consumption_value_usd,
        con_cif_usd as consumption_cif_value_usd,
        con_charges_usd as consumption_charges_usd,
        con_qty1 as consumption_quantity_1,
        con_qty2 as consumption_quantity_2,
        dutiable_value_usd,
        duty_usd,
        record_count as census_record_count,

        -- dates (null for Census API rows: annual, December year to date)
        stat_month,

        -- flags
        is_synthetic

    from source

)

select * from renamed
