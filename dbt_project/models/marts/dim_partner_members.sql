-- The member countries of every partner (dim_partners), a bridge for joining a partner to its
-- countries: each member country of a partner group of the seed partner_groups (CN_HK: 5700 and
-- 5820), and each single country as the one member of itself (5700: 5700), so that every partner
-- has its members here, whatever its kind. The years are those the warehouse holds the country
-- as a member of the partner (a group's seed rows may bound them).

with

members as (

    select * from {{ ref('int_partner_members') }}

)

select
    -- ids
    partner_code,
    cty_code,

    -- attributes
    min(year) as first_year,
    max(year) as last_year
from members
group by partner_code, cty_code
