import subprocess, sys, os, random
port=int(sys.argv[1]); out=sys.argv[2]
def cli(*a, db=0):
    r=subprocess.run(["redis-cli","-p",str(port),"-n",str(db)]+[str(x) for x in a],capture_output=True)
    return r.stdout
random.seed(7)
cli("FLUSHALL")
# strings
cli("SET","int:small","42"); cli("SET","int:neg","-12345"); cli("SET","int:big","1234567890123"); cli("SET","int:32","2147483647")
cli("SET","str:short","hello"); cli("SET","str:long","abcdefghij"*50); cli("SET","str:rand", "".join(random.choice("xyzw0123456789") for _ in range(300)))
cli("SET","str:empty",""); cli("SET","str:ttl","v","PX","99999999")
cli("APPEND","str:append","abc"); cli("SETBIT","bits",100,1)
# lists
cli("RPUSH","list:small","a","b","1","-7","300000","c"*100)
cli("RPUSH","list:big",*["item%d"%i for i in range(3000)])
cli("RPUSH","list:ints",*[str(i*1000003) for i in range(500)])
# sets
cli("SADD","set:intset",*range(1,20)); cli("SADD","set:neg","-5","70000","-2147483649")
cli("SADD","set:str","a","b","c"); cli("SADD","set:bigint",*range(1000))
cli("SADD","set:bigstr",*["m%d"%i for i in range(700)])
# hashes
cli("HSET","hash:small","f1","v1","f2","2","f3","x"*60)
cli("HSET","hash:big",*sum([["f%d"%i,"v%d"%i] for i in range(400)],[]))
cli("HSET","hash:longval","f","y"*100)
# zsets
cli("ZADD","zset:small","1","a","2.5","b","-3","c","inf","d","-inf","e","1e100","f","0.1","g")
cli("ZADD","zset:big",*sum([[str(i*0.37),"m%d"%i] for i in range(500)],[]))
cli("ZADD","zset:longmember","1","z"*100)
# other dbs, expiries
cli("SET","db3key","x",db=3); cli("HSET","db3hash","a","b",db=3); cli("EXPIRE","db3hash","100000",db=3)
cli("SET","db15","y",db=15)
print(cli("DEBUG","DIGEST").decode().strip())
