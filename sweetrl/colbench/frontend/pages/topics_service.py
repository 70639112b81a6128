"""Word banks of the topics that offer services: health, professions, software, culture.

Same shape as ``topics_trade``; ``items`` here are services, plans or products.
"""

from __future__ import annotations

from sweetrl.colbench.frontend.pages.topic import T

SERVICE = (
    T("gym", "fitness studio", "people who want to get stronger", price=(15, 120),
      brands="Iron Pulse|Forge Fitness|Peak Motion|Core Collective|Lift Lab",
      items="Strength Class|HIIT Session|Personal Training|Spin Class|Open Gym|Boxing Basics|"
            "Mobility Flow|Nutrition Plan|Rowing Circuit|Day Pass",
      features="Expert coaches|Small classes|Open 24/7|Recovery zone|Progress tracking|Free trial week",
      benefits="led by certified coaches|planned around your goals|open early and late|tracked "
               "in our app|kept to twelve people a class"),
    T("yoga", "yoga studio", "beginners and regulars alike", price=(12, 140),
      brands="Still Water Yoga|Lotus Loft|Breathe Studio|Sunrise Flow|Om Garden",
      items="Vinyasa Flow|Yin Yoga|Beginner Series|Hot Yoga|Prenatal Yoga|Meditation|Sound Bath|"
            "Teacher Training|Class Pack|Retreat Weekend",
      features="Heated rooms|Mat rental|Online classes|Workshops|Retreats|Intro offer",
      benefits="taught by experienced teachers|suited to every level|held in a calm space|"
               "streamed live every day|paced for beginners"),
    T("dental", "dental clinic", "patients of all ages", price=(40, 900),
      brands="Bright Smile Dental|Harbor Dental|Pearl Clinic|Gentle Care Dentistry|Oakridge Dental",
      items="Check-up and Clean|Teeth Whitening|Invisible Aligners|Dental Implants|Kids "
            "Dentistry|Emergency Visit|Fillings|Crowns|Veneers|Night Guard",
      features="Same-day appointments|Gentle sedation|Family plans|Evening hours|Digital x-rays|"
               "Flexible payment",
      benefits="done by experienced dentists|booked online in a minute|covered by most "
               "insurers|explained step by step|made comfortable for nervous patients"),
    T("vet", "veterinary clinic", "pet owners", price=(30, 600),
      brands="Paws & Claws Vets|Happy Tails Clinic|Meadow Vets|Whisker Care|Little Ark",
      items="Wellness Exam|Vaccinations|Dental Cleaning|Microchipping|Surgery|Puppy Plan|"
            "Senior Pet Care|Grooming|Pet Insurance|Emergency Care",
      features="24-hour emergency|Pet wellness plans|Home visits|On-site lab|Exotic pets|Fear-free visits",
      benefits="treated by caring vets|seen the same day|explained in plain words|looked after "
               "around the clock|kept calm and comfortable"),
    T("salon", "hair salon and spa", "anyone who wants to feel pampered", price=(25, 260),
      brands="Studio Lux|Mane Street|Silk & Shear|The Glow Room|Velvet Salon",
      items="Cut and Style|Colour Refresh|Balayage|Blow Dry|Keratin Treatment|Facial|Manicure|"
            "Massage|Bridal Package|Beard Trim",
      features="Online booking|Senior stylists|Organic products|Bridal parties|Gift vouchers|"
               "Late openings",
      benefits="styled by senior stylists|finished with organic products|booked in seconds|"
               "tailored to your hair type|done in a relaxing space"),
    T("law", "law firm", "families and small businesses", price=(150, 2500),
      brands="Hart & Cole|Whitmore Legal|Sterling Partners|Blake Law Group|Ashford & Reid",
      items="Family Law|Estate Planning|Business Contracts|Property Law|Employment Law|"
            "Immigration|Litigation|Wills and Trusts|Free Consultation|Mediation",
      features="Free first consultation|Fixed fees|Multilingual team|30 years of experience|"
               "Evening appointments|Online meetings",
      benefits="handled by senior partners|explained without jargon|billed at fixed fees|"
               "resolved quickly and fairly|backed by decades of practice"),
    T("accounting", "accounting firm", "freelancers and small companies", price=(49, 900),
      brands="Ledger & Co|Balance Partners|Clearbooks|Summit Accounting|Tally House",
      items="Tax Returns|Bookkeeping|Payroll|VAT Filing|Company Setup|Financial Planning|"
            "Audits|Cash Flow Review|Year-end Accounts|Advisory Call",
      features="Fixed monthly fees|Cloud accounting|Dedicated accountant|Tax deadline reminders|"
               "Free software|Quick replies",
      benefits="filed before every deadline|reviewed by chartered accountants|kept in the "
               "cloud|priced at a fixed monthly fee|answered within a day"),
    T("realestate", "real estate agency", "home buyers and sellers", price=(180000, 1450000),
      brands="Keystone Realty|Harbour Homes|Urban Nest Realty|Maple & Main|Crestview Estates",
      items="Two-bed Apartment|Family House|Garden Flat|Loft Conversion|Townhouse|Penthouse|"
            "Country Cottage|Studio|New Build|Waterfront Villa",
      features="Free valuations|Virtual tours|Local experts|Mortgage advice|Lettings|Market reports",
      benefits="valued by local experts|shown with virtual tours|marketed across the city|"
               "sold in weeks not months|handled from offer to keys"),
    T("architecture", "architecture studio", "people planning a build", price=(900, 25000),
      brands="Form & Frame|Atelier Linea|North Arc|Studio Meridian|Beam Collective",
      items="Home Extension|New Build Design|Interior Fit-out|Planning Permission|Loft "
            "Conversion|Landscape Design|Feasibility Study|Passive House|Renovation|3D Visuals",
      features="Award-winning team|Sustainable design|3D walkthroughs|Planning expertise|Fixed "
               "fee stages|Project management",
      benefits="designed around the way you live|built with low-carbon materials|shown in 3D "
               "before we build|guided through planning|delivered on budget"),
    T("photography", "photography studio", "couples, families and brands", price=(150, 3200),
      brands="Lightbox Studio|Golden Hour Photo|Frame & Field|Silver Lens|Aperture House",
      items="Wedding Package|Family Portraits|Product Shoot|Headshots|Engagement Session|Event "
            "Coverage|Newborn Session|Photo Book|Prints|Brand Story",
      features="Natural light studio|Fast turnaround|Online galleries|Printed albums|Travel "
               "worldwide|Editing included",
      benefits="captured in natural light|delivered within two weeks|edited by hand|printed on "
               "archival paper|shared in a private gallery"),
    T("travel", "travel agency", "curious travellers", price=(290, 5400),
      brands="Wanderway Travel|Compass & Co|Blue Horizon Trips|Nomad Lane|Atlas Journeys",
      items="Iceland Road Trip|Kyoto in Spring|Amalfi Coast Week|Safari Adventure|Patagonia "
            "Trek|Greek Island Hop|City Break Lisbon|Northern Lights Tour|Bali Retreat|Alps Ski Week",
      features="Tailor-made trips|Local guides|24/7 support|Flexible booking|Small groups|Carbon offsets",
      benefits="planned by destination experts|guided by locals|protected by full refunds|"
               "kept to small groups|supported day and night"),
    T("saas", "project management app", "remote teams", price=(0, 49),
      brands="Taskflow|Orbit Boards|Pilot|Kanbanly|Teamsync",
      items="Starter|Team|Business|Enterprise|Kanban Boards|Gantt Timeline|Time Tracking|"
            "Automations|Integrations|Reports",
      features="Real-time collaboration|Custom workflows|Automations|Integrations|Time tracking|"
               "Enterprise security",
      benefits="set up in minutes|synced across every device|built for distributed teams|"
               "connected to the tools you use|secured with single sign-on"),
    T("analytics", "analytics platform", "product and growth teams", price=(0, 299),
      brands="Metricly|Insight Grid|Datapulse|Lumen Analytics|Trendwise",
      items="Free|Growth|Scale|Enterprise|Dashboards|Funnels|Cohorts|Alerts|Data Export|SQL Editor",
      features="Live dashboards|Funnel analysis|Cohort retention|Anomaly alerts|Privacy first|"
               "One-line install",
      benefits="updated in real time|installed with one line of code|compliant with privacy "
               "laws|shared with your whole team|explained in plain charts"),
    T("security", "cybersecurity firm", "growing companies", price=(99, 4000),
      brands="Shieldwall|Cipher Labs|Sentinel Grid|Bastion Security|Northguard",
      items="Penetration Test|Security Audit|Managed Detection|Phishing Training|Cloud Review|"
            "Incident Response|Compliance Pack|Vulnerability Scan|Endpoint Protection|vCISO",
      features="24/7 monitoring|Certified testers|Compliance ready|Rapid response|Clear "
               "reports|Threat intelligence",
      benefits="monitored around the clock|tested by certified experts|mapped to compliance "
               "standards|answered within fifteen minutes|reported in plain language"),
    T("fintech", "mobile banking app", "people managing their money", price=(0, 15),
      brands="Coinly|Northstar Bank|Pocketwise|Ledgerly|Mint Lane",
      items="Free Account|Plus|Premium|Metal|Savings Pots|Budgeting|Virtual Cards|Travel Money|"
            "Investing|Joint Accounts",
      features="Instant notifications|No foreign fees|Savings pots|Budget insights|Virtual cards|"
               "Bank-grade security",
      benefits="opened in five minutes|protected by bank-grade security|free to spend abroad|"
               "sorted into smart categories|available on every phone"),
    T("courses", "online course platform", "lifelong learners", price=(0, 199),
      brands="Learnwell|Skillpath|Brightclass|Mentorly|Open Campus",
      items="Intro to Python|UX Design Basics|Data Analysis|Photography 101|Public Speaking|"
            "Digital Marketing|Watercolour|Spanish for Travel|Personal Finance|Web Development",
      features="Expert instructors|Certificates|Learn at your pace|Mobile app|Community forums|"
               "Free previews",
      benefits="taught by industry experts|available on any device|finished at your own pace|"
               "certified on completion|reviewed by thousands of learners"),
    T("music", "music school", "students of every age", price=(25, 480),
      brands="Harmony Hall|Blue Note Academy|Treble & Bass|Cadenza School|Soundwave Studio",
      items="Piano Lessons|Guitar Lessons|Voice Coaching|Drum Kit|Music Theory|Violin|Band "
            "Workshop|Songwriting|Exam Preparation|Summer Camp",
      features="All ages welcome|Recital stage|Flexible schedule|Instrument rental|Online "
               "lessons|Trial lesson",
      benefits="taught by professional musicians|planned around your schedule|ended with a "
               "recital|suited to complete beginners|available online"),
    T("nonprofit", "ocean conservation charity", "supporters and volunteers", price=(5, 250),
      brands="Blue Tide Trust|Ocean Keepers|Clear Water Alliance|Reef Guardians|Seaward",
      items="Beach Clean-up|Adopt a Reef|Monthly Donation|School Program|Volunteer Day|Research "
            "Grant|Coastal Survey|Gift Membership|Fundraising Kit|Annual Report",
      features="Beach clean-ups|Reef restoration|School visits|Marine research|Policy work|"
               "Volunteer network",
      benefits="funded by people like you|carried out by volunteers|measured and reported "
               "every year|run with local communities|focused on lasting change"),
    T("museum", "art museum", "visitors and art lovers", price=(0, 40),
      brands="Museum of Light|Riverside Gallery|The Modern Hall|Civic Art Museum|Northbank Museum",
      items="Permanent Collection|Impressionist Rooms|Sculpture Garden|Family Tour|Late "
            "Opening|Print Studio|Membership|Guided Tour|Cafe|Museum Shop",
      features="Free entry days|Guided tours|Family trails|Late openings|Members lounge|"
               "Accessible galleries",
      benefits="curated by our experts|open late on Fridays|free for under eighteens|"
               "accessible to every visitor|shown in restored galleries"),
    T("conference", "technology conference", "developers and founders", price=(99, 1200),
      brands="DevSummit|Future Stack|Build Conf|Cloud Forward|Code & Coffee Live",
      items="Opening Keynote|Workshop Day|Main Conference|Startup Expo|Networking Night|"
            "Lightning Talks|Panel Debate|Hackathon|Virtual Pass|VIP Pass",
      features="Fifty speakers|Hands-on workshops|Startup expo|Networking lounge|Live "
               "streams|Recorded talks",
      benefits="presented by industry leaders|recorded for later viewing|held in the city "
               "centre|paired with hands-on workshops|followed by evening meetups"),
    T("coworking", "coworking space", "freelancers and startups", price=(15, 650),
      brands="Hive Works|Common Desk|Foundry Space|Loft & Co|Station Nine",
      items="Day Pass|Hot Desk|Dedicated Desk|Private Office|Meeting Room|Event Space|Virtual "
            "Office|Phone Booth|Community Lunch|Team Suite",
      features="Fast wifi|Meeting rooms|Free coffee|24/7 access|Community events|Phone booths",
      benefits="open every hour of the day|stocked with free coffee|connected with fibre|"
               "booked by the hour|filled with friendly members"),
    T("cleaning", "home cleaning service", "busy households", price=(35, 380),
      brands="Spark & Shine|FreshNest Cleaning|Tidy Team|Clean Slate Co|Sunbeam Maids",
      items="Regular Clean|Deep Clean|End of Tenancy|Oven Cleaning|Carpet Cleaning|Window "
            "Cleaning|Office Clean|Move-in Clean|Laundry Service|Spring Clean",
      features="Vetted cleaners|Eco products|Online booking|Satisfaction guarantee|Flexible "
               "plans|Insured staff",
      benefits="done by vetted cleaners|booked in sixty seconds|cleaned with eco products|"
               "redone free if you are unhappy|scheduled around your week"),
    T("solar", "solar installer", "homeowners cutting their energy bills", price=(400, 16000),
      brands="Sunpath Energy|Brightroof Solar|Helio Homes|Greenwatt|Daylight Power",
      items="Rooftop Panels|Home Battery|EV Charger|Solar Survey|Heat Pump|Maintenance Plan|"
            "Panel Cleaning|Energy Monitor|Financing|Commercial Array",
      features="Free home survey|25-year warranty|Certified installers|Battery storage|"
               "Finance options|Energy monitoring",
      benefits="installed in a single day|backed by a long warranty|sized for your roof|"
               "monitored from your phone|paid back within years"),
    T("games", "indie game studio", "players and press", price=(5, 60),
      brands="Pixel Forge|Moonbyte Games|Tiny Comet|Lantern Works|Fox & Frog Games",
      items="Starfall Odyssey|Lantern Keeper|Tiny Kingdoms|Neon Drift|Soundtrack|Art Book|"
            "Deluxe Edition|Season Pass|Press Kit|Demo",
      features="Cross-platform|Co-op mode|Hand-drawn art|Original soundtrack|Mod support|"
               "Community events",
      benefits="hand-drawn frame by frame|playable with friends|scored by our composer|"
               "available on every console|shaped by our community"),
    T("moving", "moving company", "families moving home", price=(90, 3400),
      brands="Swift Movers|Boxline Removals|Homeward Moving|Carry & Co|Blue Van Movers",
      items="Local Move|Long-distance Move|Packing Service|Storage Unit|Office Move|Piano "
            "Moving|Furniture Assembly|Moving Boxes|Same-day Move|Free Quote",
      features="Free quotes|Fully insured|Packing materials|Storage options|Weekend moves|"
               "Tracked vans",
      benefits="handled by trained movers|insured from door to door|quoted without hidden "
               "fees|packed with care|delivered on the day we promise"),
)
