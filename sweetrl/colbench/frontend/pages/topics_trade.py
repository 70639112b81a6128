"""Word banks of the topics that sell things: food and drink, shops, hospitality.

Each :class:`~sweetrl.colbench.frontend.pages.topic.Topic` names a business, who it
is for, brand names, the items it offers, its selling points (``features``) and short
benefit phrases that sentences are built from. ``food`` topics can have a menu page.
"""

from __future__ import annotations

from sweetrl.colbench.frontend.pages.topic import T

TRADE = (
    T("coffee", "coffee roastery", "coffee lovers", price=(9, 26), food=True,
      brands="Ember Roasters|Bean & Barrel|Northside Coffee|Copper Kettle|Daybreak Roast",
      items="House Espresso|Ethiopia Yirgacheffe|Colombia Huila|Swiss Water Decaf|Cold Brew Pack|"
            "Guatemala Antigua|Kenya AA|Holiday Blend|Flat White|Oat Cortado",
      features="Small-batch roasting|Direct trade|Fresh weekly delivery|Brewing classes|"
               "Flexible subscriptions|Compostable packaging",
      benefits="roasted to order every week|sourced straight from growers|shipped the day it is "
               "roasted|brewed by trained baristas|tasted and graded in house"),
    T("bakery", "neighbourhood bakery", "early risers", price=(3, 38), food=True,
      brands="Crumb & Co|Golden Loaf|Rise Bakehouse|Flour Street|Little Oven",
      items="Sourdough Loaf|Butter Croissant|Cardamom Bun|Rye Bread|Lemon Tart|Pain au Chocolat|"
            "Seeded Baguette|Carrot Cake|Almond Danish|Focaccia",
      features="Baked before dawn|Organic flour|Custom cakes|Wholesale orders|Gluten-free range|"
               "Baking workshops",
      benefits="made with slow-fermented dough|baked fresh every morning|made from local grain|"
               "finished by hand|ready for pickup by seven"),
    T("trattoria", "Italian restaurant", "families and food lovers", price=(9, 34), food=True,
      brands="Trattoria Sole|Nonna Rosa|Casa Verde|Osteria Lume|Pasta Fresca",
      items="Margherita Pizza|Tagliatelle Ragu|Burrata Salad|Risotto ai Funghi|Tiramisu|"
            "Spaghetti Vongole|Arancini|Panna Cotta|Gnocchi al Pesto|Osso Buco",
      features="Handmade pasta|Wood-fired oven|Private dining|Wine pairings|Weekend brunch|"
               "Takeaway and delivery",
      benefits="made from our family recipes|cooked over an open flame|paired with regional "
               "wines|served in a warm dining room|prepared fresh to order"),
    T("sushi", "sushi bar", "diners who love Japanese food", price=(6, 48), food=True,
      brands="Koi Sushi|Umi House|Sakura Bar|Tsuki Omakase|Kaiyo",
      items="Salmon Nigiri|Spicy Tuna Roll|Omakase Set|Miso Soup|Tempura Udon|Eel Don|"
            "Edamame|Yellowtail Sashimi|Matcha Ice Cream|Dragon Roll",
      features="Omakase counter|Daily fish delivery|Sake list|Lunch specials|Private tatami room|"
               "Online ordering",
      benefits="prepared by our head chef|cut from fish delivered each morning|paired with "
               "seasonal sake|served at the counter|made with hand-seasoned rice"),
    T("vegan", "plant-based café", "health-conscious eaters", price=(5, 22), food=True,
      brands="Green Fork|Sprout Kitchen|Leaf & Ladle|Bloom Café|Root Bowl",
      items="Buddha Bowl|Avocado Toast|Lentil Soup|Green Smoothie|Falafel Wrap|Chia Pudding|"
            "Tofu Scramble|Beet Burger|Acai Bowl|Oat Latte",
      features="100% plant-based|Seasonal menu|Meal prep boxes|Zero-waste kitchen|Cold-pressed "
               "juices|Catering",
      benefits="made from local produce|packed with protein|free of refined sugar|prepared with "
               "seasonal vegetables|served in compostable bowls"),
    T("brewery", "craft brewery", "beer enthusiasts", price=(5, 19), food=True,
      brands="Hop Valley|Iron Barrel|Foxglove Brewing|Tall Pines|Keg & Kiln",
      items="Hazy IPA|Pilsner|Oatmeal Stout|Sour Cherry Ale|Amber Lager|Session Pale|Saison|"
            "Tasting Flight|Pretzel Board|Brewery Tour",
      features="Taproom|Brewery tours|Seasonal releases|Growler fills|Live music nights|Food trucks",
      benefits="brewed on site in small batches|made with local hops|poured fresh from the tank|"
               "aged in oak barrels|released every season"),
    T("tea", "tea house", "tea drinkers", price=(6, 32), food=True,
      brands="Jade Leaf|Steep & Co|Willow Tea House|Silver Needle|Camellia Rooms",
      items="Sencha|Earl Grey|Jasmine Pearls|Masala Chai|Oolong|Matcha Kit|Rooibos|"
            "White Peony|Scones and Jam|Tea Sampler",
      features="Loose-leaf teas|Afternoon tea|Tasting sessions|Gift boxes|Tea subscriptions|"
               "Teaware shop",
      benefits="sourced from small gardens|blended in house|served with fresh scones|packed in "
               "airtight tins|steeped at the right temperature"),
    T("chocolate", "chocolatier", "anyone with a sweet tooth", price=(4, 45), food=True,
      brands="Cacao Noir|Velvet Bean|Maison Praline|Cocoa & Salt|Dark Orchard",
      items="Dark Truffle Box|Sea Salt Bar|Hazelnut Praline|Hot Chocolate Mix|Raspberry Bonbons|"
            "Milk Chocolate Bar|Gift Hamper|Orange Thins|Caramel Cups|Tasting Set",
      features="Bean-to-bar|Handmade bonbons|Corporate gifts|Chocolate workshops|Same-day "
               "delivery|Vegan options",
      benefits="tempered by hand|made from single-origin cacao|wrapped as a gift|crafted in "
               "small batches|free of palm oil"),
    T("boutique", "fashion boutique", "style-conscious shoppers", price=(25, 240),
      brands="Atelier Nine|Linen & Lace|Maison Ivy|Threadline|Kestrel Studio",
      items="Linen Shirt|Wool Coat|Silk Scarf|Denim Jacket|Pleated Skirt|Leather Belt|"
            "Knit Sweater|Summer Dress|Canvas Tote|Wide-leg Trousers",
      features="New arrivals weekly|Free alterations|Personal styling|Sustainable fabrics|Free "
               "returns|Gift cards",
      benefits="cut from natural fabrics|made in small runs|tailored to fit|designed in our "
               "studio|built to last for years"),
    T("sneakers", "sneaker store", "sneaker collectors", price=(60, 320),
      brands="Sole Theory|Kickhouse|Lace Lab|Stride Supply|Courtside",
      items="Retro Runner|High-top Classic|Trail Racer|Canvas Low|Court Pro|Knit Trainer|"
            "Suede Skate|Limited Collab|Cleaning Kit|Sport Socks",
      features="Limited releases|Authenticity check|Raffle sign-ups|Free shipping|Trade-in "
               "program|Size guide",
      benefits="verified by our experts|restocked every Friday|shipped in original boxes|"
               "available in every size|picked by our buyers"),
    T("jewellery", "jewellery studio", "people looking for a special gift", price=(40, 900),
      brands="Aurum Atelier|Silver Fern|Luna Gems|Opaline|Gilded Finch",
      items="Gold Hoops|Pearl Necklace|Signet Ring|Diamond Studs|Charm Bracelet|Birthstone "
            "Pendant|Engagement Ring|Cuff Bangle|Ear Climbers|Chain Anklet",
      features="Recycled gold|Custom engravings|Lifetime warranty|Ring sizing|Bridal "
               "appointments|Gift wrapping",
      benefits="handcrafted in our studio|set with ethical stones|engraved to order|made from "
               "recycled metals|finished by hand"),
    T("furniture", "furniture store", "homeowners", price=(45, 1800),
      brands="Oak & Ash|Hearth Home|Nordic Nest|Loft Living|Timber Row",
      items="Oak Dining Table|Linen Sofa|Walnut Sideboard|Lounge Chair|Bed Frame|Bookshelf|"
            "Floor Lamp|Wool Rug|Coffee Table|Desk Chair",
      features="Free delivery|Room planning|Solid wood|10-year guarantee|Assembly service|"
               "Showroom visits",
      benefits="made from solid hardwood|delivered and assembled|designed for small spaces|"
               "built by local makers|finished with natural oils"),
    T("electronics", "electronics shop", "tech enthusiasts", price=(19, 1400),
      brands="Voltline|Circuit Hub|Pixel Point|Nova Tech|Gadget Grove",
      items="Wireless Earbuds|Smart Watch|4K Monitor|Mechanical Keyboard|Laptop Stand|"
            "Portable Speaker|Action Camera|USB-C Hub|Noise-cancelling Headphones|E-reader",
      features="Price match|Two-year warranty|Trade-in credit|Express shipping|Repair desk|"
               "Expert advice",
      benefits="tested by our team|shipped the next day|covered by a full warranty|compatible "
               "with every platform|set up for you in store"),
    T("books", "independent bookstore", "readers", price=(8, 45),
      brands="Paper Lantern|Dog-Eared Books|The Reading Room|Inkwell|Chapter One",
      items="The Quiet Harbour|Atlas of Small Things|Letters from the North|A Year of Soup|"
            "Night Trains|The Cartographer|Field Notes|Short Stories Vol. 2|Poems for Rain|Gift Card",
      features="Staff picks|Book clubs|Author events|Signed editions|Kids corner|Special orders",
      benefits="chosen by our booksellers|signed by the authors|shipped in recycled paper|"
               "discussed at our monthly club|reserved for you in store"),
    T("florist", "flower shop", "people sending flowers", price=(25, 160),
      brands="Petal & Stem|Wild Bloom|Fern Florist|Rosehip Studio|Meadow Lane Flowers",
      items="Garden Roses|Peony Bouquet|Tulip Bunch|Wedding Posy|Dried Wreath|Sympathy "
            "Arrangement|Orchid Pot|Sunflower Bundle|Seasonal Surprise|Table Centrepiece",
      features="Same-day delivery|Wedding flowers|Weekly subscriptions|Event styling|Workshops|"
               "Local growers",
      benefits="arranged by hand each morning|grown on nearby farms|delivered the same day|"
               "wrapped in recycled paper|chosen for the season"),
    T("plants", "plant nursery", "indoor gardeners", price=(12, 140),
      brands="Green Haven|Leafy Lane|Urban Jungle|Fern & Moss|Terra Plants",
      items="Monstera|Fiddle Leaf Fig|Snake Plant|Pothos|Olive Tree|Succulent Trio|Bird of "
            "Paradise|Ceramic Pot|Plant Food|Watering Can",
      features="Plant care guides|Repotting service|Plant doctor|Rare plants|Office greening|"
               "Free delivery",
      benefits="grown in our greenhouse|delivered in eco pots|matched to your light|"
               "checked by our plant doctors|guaranteed for thirty days"),
    T("hotel", "boutique hotel", "travellers", price=(120, 620),
      brands="Hotel Azure|The Linden|Harbour House|Maison Calme|Cliffside Lodge",
      items="Classic Room|Deluxe King|Garden Suite|Penthouse|Family Room|Spa Package|Breakfast "
            "Buffet|Airport Transfer|Rooftop Bar|Weekend Escape",
      features="Rooftop pool|Spa and sauna|Free breakfast|City views|Pet friendly|24-hour concierge",
      benefits="steps from the old town|designed by local artists|cleaned with eco products|"
               "serviced twice a day|overlooking the harbour"),
    T("camping", "outdoor outfitter", "hikers and campers", price=(15, 480),
      brands="Summit Gear|Trailhead Co|Pine & Peak|Basecamp Supply|Wildway",
      items="Two-person Tent|Sleeping Bag|Trail Backpack|Camp Stove|Headlamp|Rain Jacket|"
            "Hiking Boots|Water Filter|Trekking Poles|Camp Chair",
      features="Gear rental|Trail guides|Repair shop|Lifetime warranty|Group trips|Member prices",
      benefits="tested on real trails|built for all weather|repaired for free|packed light|"
               "chosen by our guides"),
    T("skincare", "skincare brand", "people who care for their skin", price=(14, 95),
      brands="Dew Lab|Pure Ritual|Aloe & Oak|Lumen Skin|Soft Botanics",
      items="Gentle Cleanser|Vitamin C Serum|Night Cream|Clay Mask|SPF 50 Fluid|Toner Mist|"
            "Eye Balm|Lip Oil|Body Lotion|Starter Kit",
      features="Dermatologist tested|Vegan formulas|Refill pouches|Skin quiz|Free samples|"
               "Cruelty free",
      benefits="made with botanical extracts|free of synthetic fragrance|tested on sensitive "
               "skin|packed in glass|made in small batches"),
    T("bikes", "bike shop", "cyclists", price=(20, 3200),
      brands="Spoke & Chain|Velo Works|Cadence Cycles|Ridgeline Bikes|Freewheel",
      items="Road Bike|Gravel Bike|City E-bike|Kids Bike|Helmet|Bike Lights|Repair Kit|"
            "Cycling Jersey|Bike Lock|Annual Service",
      features="Bike fitting|Same-day repairs|Test rides|Group rides|Cycle to work scheme|"
               "Rentals",
      benefits="fitted to your body|serviced by certified mechanics|ready for commuting|"
               "built for long rides|tuned before every sale"),
    T("farm", "organic farm", "households who cook at home", price=(6, 75), food=True,
      brands="Sunny Acres|Clover Farm|Hill & Hollow|Brookside Harvest|Red Barn Organics",
      items="Veggie Box|Free-range Eggs|Raw Honey|Heirloom Tomatoes|Apple Cider|Fresh Herbs|"
            "Goat Cheese|Sourdough|Seasonal Fruit|Farm Tour",
      features="Weekly boxes|Farm shop|Pick your own|Farm tours|Certified organic|Home delivery",
      benefits="picked the morning it ships|grown without pesticides|delivered to your door|"
               "raised on open pasture|harvested in season"),
)
