#!/usr/bin/env python3
"""Generates NewsPush.Web/Reader/common-passwords.txt: well-known weak passwords and the patterns
people build them from (word + digits/year/symbol, keyboard walks, repeated and sequential digits).
Written offline from memory and patterns; regenerate with: python3 scripts/generate-common-passwords.py"""
import itertools, os

base = """123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123 football
monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx
7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley
batman andrew tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster 112233
george computer michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753
aaaaaa ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme matthew access yankees
987654321 dallas austin thunder taylor matrix minecraft william corvette hello martin heather secret merlin
diamond 1234qwer gfhjkm hammer silver 222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet
scooter orange 11111 golfer cookie richard samantha bigdog guitar jackson whatever mickey chicken sparky snoopy
maverick phoenix camaro peanut morgan welcome falcon cowboy ferrari samsung andrea smokey steelers joseph
mercedes dakota arsenal eagles melissa boomer booboo spider nascar monster tigers yellow xxxxxx 123123123
gateway marina diablo bulldog qwer1234 compaq purple hardcore banana junior hannah 123654 porsche lakers
iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000 miller boston q1w2e3r4 brandon
yamaha chester mother forever johnny edward 333333 oliver redsox player nikita knight fender barney midnight
please brandy chicago badboy slayer rangers charles angel flower bigdaddy rabbit wizard bigdick jasper enter
rachel chris 7777 winter lovely cherry alexander victoria tiger hunter2 passw0rd p@ssw0rd p@ssword pa$$word
admin administrator root toor changeme default guest login letmein1 welcome1 password1 password12 password123
password1234 qwerty123 qwerty1 1q2w3e4r 1q2w3e4r5t 1q2w3e zaq12wsx qazwsxedc asdfghjkl asdf1234 abcd1234
abcdef abcdefg abcdefgh abc12345 a1b2c3d4 iloveyou1 iloveyou2 princess1 sunshine1 football1 baseball1
monkey123 dragon123 master123 superman1 batman123 michael1 jessica1 charlie1 jordan23 hello123 hellohello
welcome123 letmein123 trustno1 starwars1 pokemon pokemon123 naruto liverpool chelsea1 barcelona realmadrid
manchester arsenal1 juventus zidane ronaldo messi neymar beckham nirvana metallica slipknot eminem
ilovegod jesus jesus1 christ blessed blessing angel1 angels faith grace heaven lovelove loveme loveyou
iloveu iloveme ihateyou fuckyou fuckyou1 fuckoff asshole bitch shit pussy cunt sex sexy sexsex
qwertyui qwertyu 1qazxsw2 !qaz2wsx 1qaz@wsx zxcv1234 zxcvbnm1 qweasd qweasdzxc qweqwe asdasd zxczxc
aaaaaaaa 00000000 11112222 12121212 12341234 12344321 123454321 1234554321 147258369 147258 258369
159357 741852963 963852741 789456123 456789 456123 789456 112233445566 1122334455 aa123456 a123456
a12345678 q123456 qq123456 w123456 z123456 123456a 123456q 123456789a 12345678a 1234567a
super supersecret secret1 secret123 mysecret mypassword mypass passpass pass123 pass1234 passwd
computer1 internet1 samsung1 apple apple123 google google123 facebook yahoo hotmail gmail outlook
windows windows10 linux ubuntu microsoft oracle mysql postgres database server network security
wordpress joomla drupal website webmaster test123 test1234 testing tester demo demo123 sample
summer2024 winter2024 spring2024 autumn2024 fall2024 january february march april may june july august
september october november december monday tuesday wednesday thursday friday saturday sunday
woaini woaini1314 wo123456 5201314 1314520 520520 521521 woaiwojia zhang123 wang123 li123456 liu123456
chen123 yang123 huang123 zhao123 wu123456 zhou123 aini1314 iloveyou520 qq123123 q1w2e3 woshishui
woaini520 abc123456 a5201314 caonima nihao nihao123 baobei baobei520 xiaoming zhongguo beijing shanghai
guangzhou shenzhen tianjin wuhan chengdu hangzhou nanjing xian chongqing dongfang huawei xiaomi tencent
baidu alibaba taobao weixin wechat qwe123 qwe123456 asd123 asd123456 zxc123 zxc123456 1qaz2wsx3edc
newspush newspush1 newspush123 news123 news1234 breaking headline journalist reporter editor editor123
reader reader123 column columns article articles comment comments subscribe digest
""".split()

words = """password pass love angel baby dragon monkey shadow master sunshine princess football baseball soccer hockey
summer winter spring autumn flower tiger lion eagle falcon hunter killer ninja pirate rocket star galaxy
dream happy lucky magic money power secret silver golden diamond crystal purple orange yellow green blue
black white red pink cookie cheese pepper coffee chocolate banana apple cherry peach lemon mango orange
michael jennifer jessica ashley daniel david james john robert william thomas charlie george oliver harry
jack emily sarah anna maria laura lisa linda susan nicole amanda michelle andrew joshua matthew anthony
justin jordan taylor morgan hannah samantha alex chris kevin brian jason eric steven mark paul peter
admin welcome letmein qwerty iloveyou hello freedom whatever trustno computer internet samsung google
jesus heaven family friend friends forever mother father sister brother baby123 babygirl babyboy
monkey batman superman spiderman starwars pokemon naruto minecraft fortnite roblox matrix thunder
liverpool chelsea arsenal barcelona madrid london paris berlin tokyo china beijing shanghai newyork
football basketball volleyball tennis golf runner cycling ranger cowboy rangers yankees lakers
""".split()

suffixes = ["1", "12", "123", "1234", "12345", "123456", "!", "1!", "123!", "01", "007", "69", "88", "99", "2000",
            "2010", "2015", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026", "@123", "#1", "11", "22", "00"]

walks = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc", "qazwsxedcrfv", "poiuytrewq", "lkjhgfdsa", "mnbvcxz",
         "1q2w3e4r5t6y", "q1w2e3r4t5y6", "zaq1xsw2cde3", "!qaz@wsx", "1234qwer", "qwer1234", "asdf1234", "zxcv1234",
         "qwertyuiop123", "qwerty12345", "qwerty123456", "asdfasdf", "qwerqwer", "zxcvzxcv", "1234abcd", "abcd1234"]

out = set(w.lower() for w in base)
for w in words:
    out.add(w)
    out.add(w + w)
    for s in suffixes:
        out.add(w + s)
    out.add(w.capitalize().lower() + "123")
    leet = w.replace("a", "@").replace("o", "0").replace("e", "3").replace("i", "1").replace("s", "$")
    out.add(leet)
    out.add(leet + "1")
    out.add(leet + "123")
out.update(walks)
for d in "0123456789":
    for n in range(6, 13):
        out.add(d * n)
for start in range(0, 10):
    for n in range(6, 11):
        out.add("".join(str((start + k) % 10) for k in range(n)))
        out.add("".join(str((start - k) % 10) for k in range(n)))
for a, b in itertools.product("0123456789", repeat=2):
    out.add((a + b) * 4)
    out.add((a + b) * 3)
for year in range(1950, 2031):
    for w in ["password", "love", "summer", "winter", "football", "qwerty", "welcome", "admin", "iloveyou", "angel"]:
        out.add(f"{w}{year}")
for n in range(1, 100):
    out.add(f"password{n}")
    out.add(f"qwerty{n}")
for d in range(1, 32):
    for m in range(1, 13):
        out.add(f"{d:02d}{m:02d}1990")

path = os.path.join(os.path.dirname(__file__), "..", "NewsPush.Web", "Reader", "common-passwords.txt")
with open(path, "w", encoding="utf-8") as f:
    f.write("# Common and breached password patterns; generated by scripts/generate-common-passwords.py\n")
    for p in sorted(out):
        f.write(p + "\n")
print(len(out))
