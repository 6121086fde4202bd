with

source as (

    select * from {{ source('census', 'import_code_changes') }}

),

renamed as (

    select
        -- ids
        'imports' as trade_flow,
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
