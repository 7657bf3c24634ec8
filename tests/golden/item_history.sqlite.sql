INSERT INTO gx_history (entity, record_id, at, user_id, action, transition, changes) SELECT :entity, id, :at, :user_id, :action, NULL, '{'
  || rtrim(CASE WHEN owner IS NULL THEN '' ELSE '"owner": [null, '
  || CAST(owner AS TEXT)
  || '], ' END
  || CASE WHEN name IS NULL THEN '' ELSE '"name": [null, '
  || json_quote(name)
  || '], ' END
  || CASE WHEN notes IS NULL THEN '' ELSE '"notes": [null, '
  || json_quote(notes)
  || '], ' END
  || CASE WHEN body IS NULL THEN '' ELSE '"body": [null, '
  || json_quote(body)
  || '], ' END
  || CASE WHEN mail IS NULL THEN '' ELSE '"mail": [null, '
  || json_quote(mail)
  || '], ' END
  || CASE WHEN phone IS NULL THEN '' ELSE '"phone": [null, '
  || json_quote(phone)
  || '], ' END
  || CASE WHEN site IS NULL THEN '' ELSE '"site": [null, '
  || json_quote(site)
  || '], ' END
  || CASE WHEN size IS NULL THEN '' ELSE '"size": [null, '
  || json_quote(size)
  || '], ' END
  || CASE WHEN count IS NULL THEN '' ELSE '"count": [null, '
  || CAST(count AS TEXT)
  || '], ' END
  || CASE WHEN price IS NULL THEN '' ELSE '"price": [null, '
  || '"'
  || printf('%.2f', price)
  || '"'
  || '], ' END
  || CASE WHEN share IS NULL THEN '' ELSE '"share": [null, '
  || '"'
  || printf('%.2f', share)
  || '"'
  || '], ' END
  || CASE WHEN ratio IS NULL THEN '' ELSE '"ratio": [null, '
  || '"'
  || printf('%.4f', ratio)
  || '"'
  || '], ' END
  || CASE WHEN active IS NULL THEN '' ELSE '"active": [null, '
  || CASE active WHEN 0 THEN 'false' ELSE 'true' END
  || '], ' END
  || CASE WHEN due IS NULL THEN '' ELSE '"due": [null, '
  || json_quote(due)
  || '], ' END
  || CASE WHEN helper IS NULL THEN '' ELSE '"helper": [null, '
  || CAST(helper AS TEXT)
  || '], ' END, ', ')
  || '}' FROM item WHERE id BETWEEN :lo AND :hi ORDER BY id
