with

source as (

    select * from {{ source('census', 'export_history') }}

),

renamed as (

    select
        -- ids
        'exports' as trade_flow,
        source_file,
        source_record,
        year,
        df_code,
        hs10_code,
        cty_code,
        district_code,

        -- measures (whole USD, kilograms, Census quantity units)
        value_usd,
        qty1 as quantity_1,
        qty2 as quantity_2,
        record_count as census_record_count,
        vessel_weight_kg,
        vessel_value_usd,
        air_weight_kg,
        air_value_usd,

        -- dates
        stat_month,
        stat_year,

        -- flags
        is_synthetic

    from source

)

select * from renamed
