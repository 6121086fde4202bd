with

source as (

    select * from {{ source('census', 'hs10_code_changes') }}

),

renamed as (

    select
        -- ids
        'exports' as trade_flow,
        old_hs10_code,
        new_hs10_code,

        -- dates
        first_year,

        -- lineage
        source_file,
        source_record,
        is_synthetic

    from source

)

select * from renamed
